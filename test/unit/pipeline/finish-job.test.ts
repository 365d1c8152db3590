import { describe, expect, it } from 'vitest';
import { finishJob } from '../../../functions/pipeline/finish-job.ts';
import { runBatch } from '../../../functions/pipeline/run-batch.ts';
import type { Manifest } from '../../../functions/pipeline/types.ts';
import { errorResponse } from '../../fakes/model.ts';
import {
  batchMessages,
  createHarness,
  deliveryOptions,
  expectCompleteJob,
  planText,
  PREFIX,
  promptLines,
  TOPICS,
  type Harness,
} from '../../fakes/pipeline.ts';

const never = new AbortController().signal;

async function runAllBut(h: Harness, text: string, finishLast: boolean): Promise<Manifest> {
  const { manifest, messages } = await planText(h, text);
  for (const m of finishLast ? messages : messages.slice(0, -1)) {
    await runBatch(h.deps, m, deliveryOptions());
  }
  return manifest;
}

describe('finishJob', () => {
  it('does not finish before every batch has its stats', async () => {
    const h = createHarness();
    const manifest = await runAllBut(h, promptLines(10).join('\n'), false);
    expect(await finishJob(h.deps, manifest, never)).toEqual({ finished: false });
    expect(h.store.has(`${PREFIX}results.jsonl`)).toBe(false);
  });

  it('concurrent finishers: same results, one event; a later call is a no-op', async () => {
    const h = createHarness();
    const text = promptLines(10).join('\n');
    const manifest = await runAllBut(h, text, true);
    await h.store.remove(`${PREFIX}done.json`); // as if nobody finished yet
    h.queue.messages.length = 0;
    const outcomes = await Promise.all([1, 2, 3].map(() => finishJob(h.deps, manifest, never)));
    expect(outcomes.every((o) => o.finished)).toBe(true);
    expect(outcomes.filter((o) => o.event !== undefined)).toHaveLength(1);
    expect(h.queue.on(TOPICS.jobEvents)).toHaveLength(1);
    expect(h.queue.on(TOPICS.jobEvents)[0]?.data).toMatchObject({
      type: 'job.done',
      jobId: 'j1',
      counts: { total: 10, ok: 10, error: 0 },
    });
    expectCompleteJob(h.store, PREFIX, text);
    expect(await finishJob(h.deps, manifest, never)).toEqual({ finished: true });
  });

  it('a failed event publish removes the done marker so the retry publishes', async () => {
    const h = createHarness();
    const text = promptLines(4).join('\n');
    const manifest = await runAllBut(h, text, false);
    h.queue.failNext(1);
    const last = batchMessages(h.queue).at(-1);
    if (!last) throw new Error('no batch');
    const options = { deliveryAttempt: 1, maxDeliveries: 5, deadlineMs: 60_000, signal: never };
    await expect(runBatch(h.deps, last, options)).rejects.toThrow(/publish failure/);
    expect(h.store.has(`${PREFIX}done.json`)).toBe(false);
    expect(await runBatch(h.deps, last, { ...options, deliveryAttempt: 2 })).toMatchObject({
      status: 'already-done',
      jobFinished: true,
    });
    expect(h.queue.on(TOPICS.jobEvents)).toHaveLength(1);
    expectCompleteJob(h.store, PREFIX, text);
    expect((await finishJob(h.deps, manifest, never)).event).toBeUndefined();
  });

  it('writes an escaped report with counts, error kinds and the first errors', async () => {
    const h = createHarness((call) => {
      const text = call.request.contents[0]?.parts[0]?.text ?? '';
      if (text === 'q2') throw errorResponse('bad_request', '<script>alert(1)</script>');
      return { candidates: [{ content: { parts: [{ text: 'ok' }] }, finishReason: 'STOP' }] };
    });
    const text = [...promptLines(3), '{"id":"<b>x</b>","prompt":1}'].join('\n');
    await runAllBut(h, text, true);
    const html = h.store.text(`${PREFIX}report.html`) ?? '';
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('bad_request');
    expect(html).toContain('invalid_input');
    const results = expectCompleteJob(h.store, PREFIX, text);
    expect(results.map((r) => r.status)).toEqual(['ok', 'error', 'ok', 'error']);
  });
});
