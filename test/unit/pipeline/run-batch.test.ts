import { afterEach, describe, expect, it, vi } from 'vitest';
import { batchNames } from '../../../functions/pipeline/batch-names.ts';
import { readLedger } from '../../../functions/pipeline/ledger.ts';
import { planJob } from '../../../functions/pipeline/plan-job.ts';
import {
  runBatch,
  type RunBatchOptions,
  type RunBatchOutcome,
} from '../../../functions/pipeline/run-batch.ts';
import type { BatchMessage, JobOptions } from '../../../functions/pipeline/types.ts';
import { failingWrites } from '../../fakes/memory-store.ts';
import { deferred, promptText, textResponse } from '../../fakes/model.ts';
import {
  batchMessages,
  createHarness,
  expectCompleteJob,
  INPUT_BUCKET,
  promptLines,
  testOptions,
  TOPICS,
  type Harness,
} from '../../fakes/pipeline.ts';

const PREFIX = 'jobs/j1/';
const never = new AbortController().signal;

function opts(extra: Partial<RunBatchOptions> = {}): RunBatchOptions {
  return { deliveryAttempt: 1, maxDeliveries: 5, deadlineMs: 500_000, signal: never, ...extra };
}

async function plan(
  h: Harness,
  text: string,
  options: Partial<JobOptions> = {},
): Promise<BatchMessage[]> {
  await h.input.put('in.jsonl', text);
  await planJob(
    h.deps,
    {
      jobId: 'j1',
      input: { bucket: INPUT_BUCKET, name: 'in.jsonl' },
      prefix: PREFIX,
      options: testOptions(options),
    },
    never,
  );
  return batchMessages(h.queue);
}

/** Delivers every batch message (continuations included) in publish order. */
async function drain(h: Harness, extra: Partial<RunBatchOptions> = {}): Promise<RunBatchOutcome[]> {
  const outcomes: RunBatchOutcome[] = [];
  for (let i = 0; i < batchMessages(h.queue).length; i++) {
    const message = batchMessages(h.queue)[i];
    if (message) outcomes.push(await runBatch(h.deps, message, opts(extra)));
  }
  return outcomes;
}

const events = (h: Harness) => h.queue.on(TOPICS.jobEvents);

describe('runBatch', () => {
  afterEach(() => vi.useRealTimers());

  it('plan → every batch → finish: one result per line, in order, one done event', async () => {
    const h = createHarness();
    const text = [...promptLines(5), '', ...promptLines(10).slice(5)].join('\n') + '\n';
    expect(await plan(h, text)).toHaveLength(3);
    const outcomes = await drain(h);
    expect(outcomes.map((o) => o.status)).toEqual(['finalized', 'finalized', 'finalized']);
    expect(outcomes.map((o) => o.jobFinished)).toEqual([false, false, true]);
    const results = expectCompleteJob(h.store, PREFIX, text);
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    expect(results[0]?.text).toBe('echo: q1');
    expect(h.model.calls).toHaveLength(10);
    expect(events(h)).toHaveLength(1);
  });

  it('the same batch message delivered 3 times: one record per line, one results.jsonl, one event', async () => {
    const h = createHarness();
    const text = promptLines(9).join('\n');
    const messages = await plan(h, text);
    const statuses: string[] = [];
    for (const m of messages)
      for (let k = 0; k < 3; k++) statuses.push((await runBatch(h.deps, m, opts())).status);
    expect(statuses.filter((s) => s === 'finalized')).toHaveLength(3);
    expect(statuses.filter((s) => s === 'already-done')).toHaveLength(6);
    expectCompleteJob(h.store, PREFIX, text);
    expect(h.model.calls).toHaveLength(9);
    expect(events(h)).toHaveLength(1);
  });

  it('a delivery killed mid-batch is resumed: the redelivery runs only the missing prompts', async () => {
    const h = createHarness();
    const text = promptLines(10).join('\n');
    const [message] = await plan(h, text, { batchLines: 100, concurrency: 1 });
    if (!message) throw new Error('no batch');
    const kill = new AbortController();
    let seen = 0;
    const first = runBatch(
      h.deps,
      message,
      opts({
        signal: kill.signal,
        checkpointEvery: 2,
        onResult: () => ++seen === 5 && kill.abort(new Error('killed')),
      }),
    );
    await expect(first).rejects.toThrow('killed');
    const checkpointed = (await readLedger(h.store, batchNames(PREFIX, 0), never)).size;
    expect(checkpointed).toBeGreaterThanOrEqual(2);
    expect(checkpointed).toBeLessThan(10);
    const callsBefore = h.model.calls.length;
    expect(await runBatch(h.deps, message, opts({ deliveryAttempt: 2 }))).toMatchObject({
      status: 'finalized',
      jobFinished: true,
    });
    expect(h.model.calls.length - callsBefore).toBe(10 - checkpointed);
    expectCompleteJob(h.store, PREFIX, text);
  });

  it('two deliveries at once: the second waits on the lease, then finds the batch done', async () => {
    vi.useFakeTimers();
    const gate = deferred();
    const h = createHarness(async (call) => (await gate.promise, textResponse(promptText(call))));
    const text = promptLines(4).join('\n');
    const [message] = await plan(h, text);
    if (!message) throw new Error('no batch');
    const a = runBatch(h.deps, message, opts());
    await vi.advanceTimersByTimeAsync(10);
    const b = runBatch(h.deps, message, opts());
    await vi.advanceTimersByTimeAsync(10);
    gate.resolve();
    await vi.advanceTimersByTimeAsync(6_000);
    expect((await a).status).toBe('finalized');
    expect((await b).status).toBe('already-done');
    expect(h.model.calls).toHaveLength(4);
    expectCompleteJob(h.store, PREFIX, text);
  });

  it('two deliveries running the same prompts at the same time (lease lost) still give one record per line', async () => {
    const gates = [deferred(), deferred()];
    let n = 0;
    const h = createHarness(async (call) => {
      const gate = gates[n++ < 4 ? 0 : 1];
      await gate?.promise;
      return textResponse(`${promptText(call)} #${n}`);
    });
    const text = promptLines(4).join('\n');
    const [message] = await plan(h, text, { concurrency: 4 });
    if (!message) throw new Error('no batch');
    const a = runBatch(h.deps, message, opts({ checkpointEvery: 1 }));
    while (h.model.calls.length < 4) await new Promise((r) => setTimeout(r, 1));
    await h.store.remove(`${PREFIX}ledger/00000/lease.json`); // A's lease vanishes (skew, operator)
    const b = runBatch(h.deps, message, opts({ checkpointEvery: 1 }));
    while (h.model.calls.length < 8) await new Promise((r) => setTimeout(r, 1));
    gates[1]?.resolve(); // B finishes first ...
    gates[0]?.resolve(); // ... while A is still writing
    const outcomes = await Promise.all([a, b]);
    expect(outcomes.map((o) => o.status)).toEqual(['finalized', 'finalized']);
    expect(h.model.calls).toHaveLength(8);
    expectCompleteJob(h.store, PREFIX, text);
    expect(events(h)).toHaveLength(1);
  });

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
