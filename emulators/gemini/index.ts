/**
 * Gemini emulator: an HTTP server that the real `@google/genai` SDK talks to unchanged via
 * `httpOptions.baseUrl`. Deterministic model, real Python code execution in a sandbox, seeded
 * fault injection, a request journal and control endpoints under `/_emulator/`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendGoogleError } from './errors.ts';
import { createFaultState, validateFaults } from './faults.ts';
import { handleApi } from './handler.ts';
import { createJournal } from './journal.ts';
import { createSandbox } from './sandbox.ts';
import type { FaultConfig, GeminiEmulator, GeminiEmulatorOptions } from './types.ts';

export type { FaultConfig, GeminiEmulator, GeminiEmulatorOptions, JournalEntry } from './types.ts';

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2) + '\n';
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
}

/** Starts the emulator; resolves once it is listening. */
export async function startGeminiEmulator(
  options: GeminiEmulatorOptions = {},
): Promise<GeminiEmulator> {
  let faults: FaultConfig = validateFaults(options.faults ?? {});
  const codeTimeoutMs = options.codeTimeoutMs ?? 30_000;
  const sandbox = createSandbox({
    python: options.python ?? 'python3',
    timeoutMs: codeTimeoutMs,
    memoryLimitMb: options.memoryLimitMb ?? 1024,
  });
  const journal = createJournal(options.journalLimit ?? 10_000);
  const state = createFaultState();
  const hanging = new Set<ServerResponse>();
  const ctx = {
    journal,
    state,
    sandbox,
    hanging,
    codeTimeoutMs,
    maxCodeRetries: options.maxCodeRetries ?? 2,
    faults: () => faults,
  };
  const emulator = {
    journal: () => journal.list(),
    setFaults(f: FaultConfig): void {
      faults = validateFaults(f);
    },
    reset(): void {
      journal.clear();
      state.reset();
    },
  };

  async function control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const route = `${req.method ?? 'GET'} ${path}`;
    if (route === 'GET /_emulator/health')
      return reply(res, 200, { status: 'ok', sandboxNetwork: sandbox.network });
    if (route === 'GET /_emulator/journal') return reply(res, 200, journal.list());
    if (route === 'POST /_emulator/reset') return (emulator.reset(), reply(res, 200, { ok: true }));
    if (route === 'POST /_emulator/faults') {
      try {
        emulator.setFaults(validateFaults(await readJson(req)));
        return reply(res, 200, { ok: true, faults });
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        return sendGoogleError(res, { code: 400, status: 'INVALID_ARGUMENT', message });
      }
    }
    return sendGoogleError(res, {
      code: 404,
      status: 'NOT_FOUND',
      message: `No control endpoint ${route}`,
    });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const work = url.pathname.startsWith('/_emulator/')
      ? control(req, res, url.pathname)
      : handleApi(ctx, req, res, url);
    work.catch((e: unknown) => {
      if (res.headersSent) return void res.destroy();
      const message = `Emulator failure: ${e instanceof Error ? e.message : String(e)}`;
      sendGoogleError(res, { code: 500, status: 'INTERNAL', message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    ...emulator,
    async close(): Promise<void> {
      sandbox.close();
      for (const res of hanging) res.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
