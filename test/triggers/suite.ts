/**
 * Shared setup of the trigger test files: one real Functions Framework server per function
 * (started once per file), a fresh harness per test, and small helpers over it.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { setAppFactory } from '../../functions/app/runtime.ts';
import type { BatchMessage } from '../../functions/pipeline/types.ts';
import {
  createHarness,
  FUNCTIONS,
  pushBody,
  serve,
  type FunctionName,
  type Harness,
} from './harness.ts';

/** Base URL of each function's server, filled in by `useTriggerServers`. */
export const urls = {} as Record<FunctionName, string>;
/** The current test's harness (a live binding: replaced before each test). */
export let h: Harness;

/** Swaps the current test's harness (the app factory serves whichever is current). */
export function setHarness(next: Harness): void {
  h = next;
}

/** Registers the hooks: servers for the file, a fresh harness (and app) for each test. */
export function useTriggerServers(): void {
  const closers: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    for (const name of FUNCTIONS) {
      const s = await serve(name);
      urls[name] = s.url;
      closers.push(s.close);
    }
  });
  afterAll(async () => {
    setAppFactory(undefined);
    await Promise.all(closers.map((c) => c()));
  });
  beforeEach(() => {
    h = createHarness();
    setAppFactory(() => h.app);
  });
}

export const lines = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({ id: `p${i + 1}`, prompt: `q${i + 1}` }),
  ).join('\n') + '\n';
export const warnings = () =>
  h.logs.filter((l) => l.severity === 'WARNING').map((l) => String(l.message));
export const published = (): BatchMessage[] =>
  h.queue.published('sluice-batches').map((d) => d.data as unknown as BatchMessage);

export async function upload(name: string, body: string) {
  return h.store.write(name, body, { signal: AbortSignal.timeout(5000) });
}

export function notification(name: string, generation: string, bucket = 'data-bucket') {
  return pushBody(
    { bucket, name, generation, size: '1', kind: 'storage#object' },
    {
      attributes: {
        eventType: 'OBJECT_FINALIZE',
        bucketId: bucket,
        objectId: name,
        objectGeneration: generation,
      },
      deliveryAttempt: 1,
    },
  );
}
