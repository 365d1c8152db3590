/**
 * One Cloud Function as a real functions-framework process, the way Cloud Run runs it:
 * `functions-framework --target=<name> --source=functions/index.ts --signature-type=http`.
 * Node 22.18+ strips TypeScript types, so the framework imports `functions/index.ts` directly
 * (its loader treats it as ESM because package.json says `"type": "module"`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './net.ts';

export const FUNCTION_NAMES = ['onUpload', 'onJob', 'onBatch', 'jobStatus'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** The module that registers the functions. */
export const FUNCTIONS_ENTRY = fileURLToPath(new URL('../../functions/index.ts', import.meta.url));

export interface FunctionProcess {
  name: FunctionName;
  port: number;
  url: string;
  /** Starts (again) on the same port; resolves when it answers. */
  start(): Promise<void>;
  /** SIGKILL, as a crashed instance: no cleanup, in-flight requests die. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
}

export interface FunctionProcessOptions {
  name: FunctionName;
  port: number;
  env: Record<string, string>;
  /** Each output line of the process (its structured logs). */
  onLine?: (name: FunctionName, line: string) => void;
}

/** The framework's CLI entry, resolved from node_modules. */
function frameworkMain(): string {
  const require = createRequire(import.meta.url);
  // The package exports only `.` and `./testing`; its bin (build/src/main.js) sits beside `.`.
  return join(dirname(require.resolve('@google-cloud/functions-framework')), 'main.js');
}

/** Creates a (not yet started) function process. */
export function createFunctionProcess(options: FunctionProcessOptions): FunctionProcess {
  const { name, port } = options;
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const attach = (stream: NodeJS.ReadableStream | null): void => {
    let buffered = '';
    stream?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line !== '') options.onLine?.(name, line);
    });
  };

  const exited = (c: ChildProcess): Promise<void> =>
    c.exitCode !== null || c.signalCode !== null
      ? Promise.resolve()
      : new Promise((resolve) => c.once('exit', () => resolve()));

  return {
    name,
    port,
    url,
    async start() {
      const c = spawn(
        process.execPath,
        [
          frameworkMain(),
          `--target=${name}`,
          `--source=${FUNCTIONS_ENTRY}`,
          '--signature-type=http',
          `--port=${port}`,
        ],
        {
          env: { ...process.env, ...options.env, FUNCTION_TARGET: name, PORT: String(port) },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      child = c;
      attach(c.stdout);
      attach(c.stderr);
      // The framework answers 404 on /robots.txt for HTTP functions without calling ours.
      await waitFor(`function ${name} on ${url}`, 60_000, async () => {
        if (c.exitCode !== null) throw new Error(`function ${name} exited with code ${c.exitCode}`);
        const res = await fetch(`${url}/robots.txt`).catch(() => undefined);
        return res?.status === 404;
      });
    },
    async kill() {
      if (child === undefined) return;
      child.kill('SIGKILL');
      await exited(child);
    },
    async stop() {
      if (child === undefined) return;
      const c = child;
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
      await exited(c);
      clearTimeout(timer);
    },
  };
}
