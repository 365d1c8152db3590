/**
 * An in-memory Cloud Storage JSON API emulator (node:http) that the real @google-cloud/storage
 * 8.4.0 client can talk to: uploads, downloads with ranges, list, delete, compose,
 * preconditions, fault injection and object.finalize notifications. See README.md.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmulatorContext } from './context.ts';
import type { GcsFault } from './faults.ts';
import { createFaultInjector } from './faults.ts';
import { HttpError, sendError } from './http.ts';
import { SUPPORTED, match } from './router.ts';
import type { StoredObject } from './state.ts';
import { createGcsState, objectResource } from './state.ts';

export type { GcsFault, GcsRoute } from './faults.ts';

export interface GcsEmulatorOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Created at start. Unknown buckets are also created by their first write. */
  buckets?: string[];
}

/** StorageObjectData as a storage.object.v1.finalized CloudEvent carries it (int64 as strings). */
export interface FinalizeEvent {
  kind: 'storage#object';
  id: string;
  selfLink: string;
  mediaLink: string;
  bucket: string;
  name: string;
  generation: string;
  metageneration: string;
  size: string;
  contentType: string;
  contentEncoding?: string;
  crc32c: string;
  md5Hash: string;
  etag: string;
  storageClass: string;
  timeCreated: string;
  updated: string;
  timeStorageClassUpdated: string;
  componentCount?: number;
  metadata?: Record<string, string>;
}

export interface GcsEmulator {
  /** `http://127.0.0.1:PORT`: pass as `apiEndpoint` (or STORAGE_EMULATOR_HOST). */
  url: string;
  port: number;
  /** Replaces the active faults; `seed` drives rate-based faults. */
  setFaults(faults: GcsFault[], seed?: number): void;
  /** Subscribes to object.finalize; returns an unsubscribe function. Runs after the response. */
  onFinalize(listener: (event: FinalizeEvent) => void | Promise<void>): () => void;
  /** Every request served so far, in the order answered: method, path with query, status. */
  journal(): Array<{ method: string; path: string; status: number }>;
  close(): Promise<void>;
}

/** Starts the emulator on `host` (127.0.0.1) and `port` (0 = any free port). */
export async function startGcsEmulator(options: GcsEmulatorOptions = {}): Promise<GcsEmulator> {
  const host = options.host ?? '127.0.0.1';
  const faults = createFaultInjector();
  const listeners = new Set<(event: FinalizeEvent) => void | Promise<void>>();
  const entries: Array<{ method: string; path: string; status: number }> = [];
  const ctx: EmulatorContext = {
    state: createGcsState(options.buckets ?? []),
    baseUrl: '',
    finalized: (object: StoredObject) => {
      const event = objectResource(object, ctx.baseUrl) as unknown as FinalizeEvent;
      // Like GCS, notifications are asynchronous: the writer's response is not held up by them.
      setImmediate(() => {
        for (const listener of listeners) {
          Promise.resolve()
            .then(() => listener(event))
            .catch((error: unknown) =>
              console.error('[gcs-emulator] finalize listener failed:', error),
            );
        }
      });
    },
  };

  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    // Journal when the status line is written, which is before the client can see the answer,
    // so a test that awaits a call always finds that call's entry.
    let journalled = false;
    const record = (status: number): void => {
      if (!journalled) entries.push({ method, path, status });
      journalled = true;
    };
    const writeHead = res.writeHead.bind(res);
    res.writeHead = ((...args: Parameters<typeof writeHead>) => {
      record(args[0]);
      return writeHead(...args);
    }) as typeof writeHead;
    res.on('close', () => record(res.statusCode));
    const url = new URL(path, ctx.baseUrl);
    const matched = match(method, url);
    if (!matched) {
      req.resume();
      sendError(
        res,
        501,
        'notImplemented',
        `GCS emulator does not implement ${method} ${url.pathname}. Supported: ${SUPPORTED.join('; ')}`,
      );
      return;
    }
    const injected = faults.next(matched.route);
    if (injected !== undefined) {
      req.resume();
      sendError(
        res,
        injected,
        injected === 429 ? 'rateLimitExceeded' : 'backendError',
        `Injected fault (${matched.route} → ${injected}).`,
      );
      return;
    }
    Promise.resolve()
      .then(() => matched.run(ctx, req, res))
      .catch((error: unknown) => {
        if (res.headersSent) return void res.destroy();
        if (error instanceof HttpError)
          return sendError(res, error.status, error.reason, error.message);
        sendError(res, 500, 'backendError', error instanceof Error ? error.message : String(error));
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  ctx.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: ctx.baseUrl,
    port,
    setFaults: (list, seed) => faults.set(list, seed),
    onFinalize(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    journal: () => entries.map((e) => ({ ...e })),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
