/**
 * Trigger test harness: the real functions-framework server for each function (getTestServer),
 * listening on 127.0.0.1:0, with fake deps injected through `setAppFactory` (memory store,
 * memory queue, a scripted model) and every log line captured.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { createCloudLogger } from '../../functions/adapters/log/cloud-logger.ts';
import { createMemoryBlobStore } from '../../functions/adapters/memory/blob-store.ts';
import { createMemoryQueue, type MemoryQueue } from '../../functions/adapters/memory/queue.ts';
import { systemClock } from '../../functions/adapters/system/clock.ts';
import { loadCloudConfig } from '../../functions/app/config.ts';
import { assertAllowed } from '../../functions/app/input-allow-list.ts';
import type { App } from '../../functions/app/runtime.ts';
import type { BlobStore, ModelClient } from '../../functions/pipeline/ports.ts';
import '../../functions/index.ts';

export const FUNCTIONS = ['onUpload', 'onJob', 'onBatch', 'jobStatus'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

export interface Harness {
  app: App;
  store: BlobStore & { dump(): Map<string, Uint8Array> };
  other: BlobStore & { dump(): Map<string, Uint8Array> };
  queue: MemoryQueue;
  logs: Array<Record<string, unknown>>;
}

/** Echoes the prompt text back, as the model's answer. */
export const echoModel: ModelClient = {
  generate: (call) => {
    const text =
      call.request.contents
        .at(-1)
        ?.parts.map((p) => p.text ?? '')
        .join('') ?? '';
    return Promise.resolve({
      candidates: [
        { content: { role: 'model', parts: [{ text: `echo: ${text}` }] }, finishReason: 'STOP' },
      ],
      modelVersion: 'echo-1',
    });
  },
};

export function createHarness(overrides: Partial<App['deps']> = {}): Harness {
  const logs: Array<Record<string, unknown>> = [];
  const logger = createCloudLogger({
    level: 'debug',
    write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>),
  });
  const config = loadCloudConfig({
    SLUICE_BUCKET: 'data-bucket',
    SLUICE_INPUT_BUCKETS: 'other-bucket',
    GOOGLE_CLOUD_PROJECT: 'proj',
    SLUICE_BATCH_LINES: '2',
  });
  const store = createMemoryBlobStore();
  const other = createMemoryBlobStore();
  const queue = createMemoryQueue();
  const app: App = {
    config,
    logger,
    deps: {
      store,
      inputStore: (bucket) => {
        assertAllowed(config, bucket);
        return bucket === 'other-bucket' ? other : store;
      },
      queue,
      topics: { batches: config.topics.batches, jobEvents: config.topics.jobEvents },
      model: echoModel,
      clock: systemClock,
      random: () => 0.5,
      logger,
      ...overrides,
    },
  };
  return { app, store, other, queue, logs };
}

/** Starts the framework's server for one function; returns its base URL and a close(). */
export async function serve(
  name: FunctionName,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = getTestServer(name);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const b64 = (v: unknown): string =>
  Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64');

/** A raw Pub/Sub push body, as our push subscriptions deliver it. */
export function pushBody(
  data: unknown,
  extra: {
    attributes?: Record<string, string>;
    deliveryAttempt?: number;
    publishTime?: string;
  } = {},
) {
  return {
    message: {
      data: data === undefined ? undefined : b64(data),
      attributes: extra.attributes,
      messageId: '100',
      publishTime: extra.publishTime ?? '2026-11-28T01:00:00.000Z',
    },
    subscription: 'projects/proj/subscriptions/push',
    ...(extra.deliveryAttempt === undefined ? {} : { deliveryAttempt: extra.deliveryAttempt }),
  };
}

export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes);
