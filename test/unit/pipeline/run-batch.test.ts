/** runBatch end to end on fakes: a whole job, redeliveries, resumption and racing deliveries. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { batchNames } from '../../../functions/pipeline/batch-names.ts';
import { readLedger } from '../../../functions/pipeline/ledger.ts';
import { runBatch } from '../../../functions/pipeline/run-batch.ts';
import { deferred, promptText, textResponse } from '../../fakes/model.ts';
import { createHarness, expectCompleteJob, PREFIX, promptLines } from '../../fakes/pipeline.ts';
import { drain, events, opts, plan } from '../../fakes/run-batch.ts';

const never = new AbortController().signal;

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
});
