/** runBatch at its limits: deadlines, maxDeliveries, store failures, empty and bad input. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { batchNames } from '../../../functions/pipeline/batch-names.ts';
import { readLedger } from '../../../functions/pipeline/ledger.ts';
import { runBatch } from '../../../functions/pipeline/run-batch.ts';
import { failingWrites } from '../../fakes/memory-store.ts';
import { promptText, textResponse } from '../../fakes/model.ts';
import {
  batchMessages,
  createHarness,
  expectCompleteJob,
  PREFIX,
  promptLines,
} from '../../fakes/pipeline.ts';
import { drain, events, opts, plan } from '../../fakes/run-batch.ts';

const never = new AbortController().signal;

describe('runBatch', () => {
  afterEach(() => vi.useRealTimers());

  it('deadline: stops starting prompts, publishes a continuation, which completes the batch', async () => {
    vi.useFakeTimers();
    const h = createHarness(async (call) => {
      await new Promise((r) => setTimeout(r, 1_000));
      return textResponse(promptText(call));
    });
    const text = promptLines(6).join('\n');
    const [message] = await plan(h, text, { batchLines: 100, concurrency: 1 });
    if (!message) throw new Error('no batch');
    const first = runBatch(h.deps, message, opts({ deadlineMs: 2_500, checkpointEvery: 100 }));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await first).toMatchObject({ status: 'continued', results: 3, jobFinished: false });
    const continuation = batchMessages(h.queue)[1];
    expect(continuation).toEqual(message);
    const second = runBatch(h.deps, message, opts({ deadlineMs: 2_500 }));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await second).toMatchObject({ status: 'finalized', results: 3, jobFinished: true });
    expect(h.model.calls).toHaveLength(6);
    expectCompleteJob(h.store, PREFIX, text);
  });

  it('a delivery that finishes nothing before its deadline throws (counted by Pub/Sub, bounded)', async () => {
    vi.useFakeTimers();
    const h = createHarness(async (call) => {
      await new Promise((r) => setTimeout(r, 60_000));
      return textResponse(promptText(call));
    });
    const [message] = await plan(h, promptLines(2).join('\n'));
    if (!message) throw new Error('no batch');
    const run = runBatch(h.deps, message, opts({ deadlineMs: 1_000, graceMs: 1_000 }));
    const settled = expect(run).rejects.toThrow(/no prompt finished/);
    await vi.advanceTimersByTimeAsync(5_000);
    await settled;
    expect(batchMessages(h.queue)).toHaveLength(1); // no continuation
  });

  it('maxDeliveries reached: unfinished lines become error results and the job finishes', async () => {
    const h = createHarness();
    const text = promptLines(6).join('\n');
    const [message] = await plan(h, text, { batchLines: 100, concurrency: 1 });
    if (!message) throw new Error('no batch');
    const kill = new AbortController();
    await expect(
      runBatch(
        h.deps,
        message,
        opts({
          signal: kill.signal,
          checkpointEvery: 1,
          onResult: (r) => r.line === 2 && kill.abort(new Error('oom')),
        }),
      ),
    ).rejects.toThrow('oom');
    const calls = h.model.calls.length;
    const kept = (await readLedger(h.store, batchNames(PREFIX, 0), never)).size;
    expect(kept).toBeGreaterThanOrEqual(1);
    expect(
      await runBatch(h.deps, message, opts({ deliveryAttempt: 5, maxDeliveries: 5 })),
    ).toMatchObject({ status: 'finalized', jobFinished: true });
    expect(h.model.calls.length).toBe(calls);
    const results = expectCompleteJob(h.store, PREFIX, text);
    expect(results.slice(0, kept).every((r) => r.status === 'ok')).toBe(true);
    expect(
      results.slice(kept).every((r) => r.status === 'error' && r.error?.kind === 'deadline'),
    ).toBe(true);
    expect(results.slice(kept)[0]?.error?.message).toMatch(/gave up after 5 deliveries/);
  });

  it('two batches finishing at once publish one done event', async () => {
    const h = createHarness();
    const text = promptLines(12).join('\n');
    const messages = await plan(h, text);
    const outcomes = await Promise.all(messages.map((m) => runBatch(h.deps, m, opts())));
    expect(outcomes.every((o) => o.status === 'finalized')).toBe(true);
    expect(outcomes.some((o) => o.jobFinished)).toBe(true);
    expectCompleteJob(h.store, PREFIX, text);
    expect(events(h)).toHaveLength(1);
  });

  it('blob store write failures: the delivery throws, redelivery completes, nothing lost or doubled', async () => {
    const h = createHarness();
    const text = promptLines(8).join('\n');
    const messages = await plan(h, text);
    const flaky = failingWrites(h.store, 3);
    h.deps.store = flaky;
    let failures = 0;
    for (const m of messages) {
      for (let attempt = 1; ; attempt++) {
        try {
          await runBatch(h.deps, m, opts({ deliveryAttempt: attempt, checkpointEvery: 1 }));
          break;
        } catch {
          failures += 1;
          if (attempt > 10) throw new Error('never recovered');
        }
      }
    }
    expect(flaky.failed).toBe(3);
    expect(failures).toBeGreaterThan(0);
    const results = expectCompleteJob(h.store, PREFIX, text);
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    expect(events(h)).toHaveLength(1);
  });

  it('empty input: one empty batch, empty results, a summary and a done event', async () => {
    const h = createHarness();
    expect(await plan(h, '')).toHaveLength(1);
    await drain(h);
    expect(expectCompleteJob(h.store, PREFIX, '')).toEqual([]);
    expect(events(h)).toHaveLength(1);
  });

  it('bad lines, blanks and duplicate ids become results without calling the model', async () => {
    const h = createHarness();
    const lines = [
      '{"id":"a","prompt":"one"}',
      '{not json',
      '   ',
      '{"id":"a","prompt":"again"}',
      JSON.stringify({ id: 'long', prompt: 'x'.repeat(200) }),
      '{"id":"b","prompt":"two"}',
      '{"id":"a","prompt":"third"}',
    ];
    const text = lines.join('\r\n') + '\r\n';
    await plan(h, text, { maxLineBytes: 100, batchLines: 3 });
    await drain(h);
    const results = expectCompleteJob(h.store, PREFIX, text);
    expect(results.map((r) => [r.line, r.status, r.error?.kind])).toEqual([
      [1, 'ok', undefined],
      [2, 'error', 'invalid_input'],
      [4, 'error', 'invalid_input'],
      [5, 'error', 'invalid_input'],
      [6, 'ok', undefined],
      [7, 'error', 'invalid_input'],
    ]);
    expect(results[2]?.error?.message).toMatch(/line 1|first/i);
    expect(h.model.prompts().sort()).toEqual(['one', 'two']);
  });
});
