/**
 * Wiring for core pipeline tests: fake store, recording queue, scripted model, real clock (driven
 * by vi.useFakeTimers where a test needs time), plus helpers to drain batch messages and to check
 * the promise every test asserts: one result per non-blank input line, in order, ids unique.
 */
import { expect } from 'vitest';
import { systemClock } from '../../functions/adapters/system/clock.ts';
import { DEFAULT_JOB_OPTIONS } from '../../functions/pipeline/job-options.ts';
import { planJob, type PlanRequest } from '../../functions/pipeline/plan-job.ts';
import type { BlobStore, Logger, PipelineDeps } from '../../functions/pipeline/ports.ts';
import type { RunBatchOptions } from '../../functions/pipeline/run-batch.ts';
import type {
  BatchMessage,
  JobOptions,
  Manifest,
  ResultRecord,
} from '../../functions/pipeline/types.ts';
import { createFakeStore, type FakeStore } from './memory-store.ts';
import { createScriptedModel, type ScriptedModel, type Script } from './model.ts';
import { createRecordingQueue, type RecordingQueue } from './queue.ts';

export const TOPICS = { batches: 'batches', jobEvents: 'job-events' };
export const INPUT_BUCKET = 'in';
/** Where the test job `j1` writes. */
export const PREFIX = 'jobs/j1/';
const never = new AbortController().signal;
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export interface Harness {
  deps: PipelineDeps;
  store: FakeStore;
  input: FakeStore;
  queue: RecordingQueue;
  model: ScriptedModel;
}

export function createHarness(script?: Script, wrapStore?: (s: BlobStore) => BlobStore): Harness {
  const store = createFakeStore();
  const input = createFakeStore();
  const queue = createRecordingQueue();
  const model = createScriptedModel(script);
  let seed = 1;
  const deps: PipelineDeps = {
    store: wrapStore ? wrapStore(store) : store,
    inputStore: () => input,
    queue,
    topics: TOPICS,
    model,
    clock: systemClock,
    random: () => (seed = (seed * 48271) % 2147483647) / 2147483647,
    logger: silentLogger,
  };
  return { deps, store, input, queue, model };
}

export function testOptions(overrides: Partial<JobOptions> = {}): JobOptions {
  return {
    ...DEFAULT_JOB_OPTIONS,
    maxAttempts: 1,
    concurrency: 4,
    codeExecution: false,
    batchLines: 4,
    ...overrides,
  };
}

/** The plan request for job `j1` reading `in.jsonl` from the input bucket. */
export function jobRequest(options: Partial<JobOptions> = {}): PlanRequest {
  return {
    jobId: 'j1',
    input: { bucket: INPUT_BUCKET, name: 'in.jsonl' },
    prefix: PREFIX,
    options: testOptions(options),
  };
}

/** Stores `text` as the input and plans job `j1`; returns the manifest and the batches published. */
export async function planText(
  h: Harness,
  text: string,
  options: Partial<JobOptions> = {},
): Promise<{ manifest: Manifest; messages: BatchMessage[] }> {
  await h.input.put('in.jsonl', text);
  const { manifest } = await planJob(h.deps, jobRequest(options), never);
  return { manifest, messages: batchMessages(h.queue) };
}

/** A first delivery with a generous deadline and no abort, plus `extra`. */
export function deliveryOptions(extra: Partial<RunBatchOptions> = {}): RunBatchOptions {
  return { deliveryAttempt: 1, maxDeliveries: 5, deadlineMs: 60_000, signal: never, ...extra };
}

/** `n` prompt lines `{"id":"p<i>","prompt":"q<i>"}`. */
export function promptLines(n: number): string[] {
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({ id: `p${i + 1}`, prompt: `q${i + 1}` }),
  );
}

export function batchMessages(queue: RecordingQueue): BatchMessage[] {
  return queue.on(TOPICS.batches).map((m) => m.data as unknown as BatchMessage);
}

export function readResults(store: FakeStore, prefix: string): ResultRecord[] {
  const text = store.text(`${prefix}results.jsonl`);
  expect(text, 'results.jsonl exists').toBeDefined();
  return (text ?? '')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ResultRecord);
}

/**
 * The promise of every test: results.jsonl has exactly one line per non-blank input line, ids
 * unique, in input order; summary counts add up.
 */
export function expectCompleteJob(
  store: FakeStore,
  prefix: string,
  inputText: string,
): ResultRecord[] {
  const expectedLines = inputText
    .split('\n')
    .map((text, i) => ({ text, line: i + 1 }))
    .filter((l) => l.text.trim() !== '')
    .map((l) => l.line);
  const results = readResults(store, prefix);
  expect(results.map((r) => r.line)).toEqual(expectedLines);
  // Ids are unique, except that a repeated input id yields an invalid_input error for the repeat.
  const seen = new Set<string>();
  for (const r of results) {
    if (seen.has(r.id))
      expect(r.error?.kind, `line ${r.line} repeats id ${r.id}`).toBe('invalid_input');
    seen.add(r.id);
  }
  const summary = JSON.parse(store.text(`${prefix}summary.json`) ?? 'null') as {
    counts: unknown;
    errorKinds: Record<string, number>;
  };
  const ok = results.filter((r) => r.status === 'ok').length;
  expect(summary.counts).toEqual({ total: results.length, ok, error: results.length - ok });
  const kinds: Record<string, number> = {};
  for (const r of results) if (r.error) kinds[r.error.kind] = (kinds[r.error.kind] ?? 0) + 1;
  expect(summary.errorKinds).toEqual(kinds);
  expect(store.has(`${prefix}done.json`)).toBe(true);
  return results;
}
