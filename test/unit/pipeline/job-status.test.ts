import { describe, expect, it } from 'vitest';
import { jobStatus } from '../../../functions/pipeline/job-status.ts';
import { planJob } from '../../../functions/pipeline/plan-job.ts';
import { runBatch } from '../../../functions/pipeline/run-batch.ts';
import {
  batchMessages,
  createHarness,
  deliveryOptions,
  jobRequest,
  PREFIX,
  promptLines,
} from '../../fakes/pipeline.ts';

const never = new AbortController().signal;

describe('jobStatus', () => {
  it('reports planning, running with partial counts and errors, then done', async () => {
    const h = createHarness();
    expect(await jobStatus(h.deps, PREFIX, never)).toBeUndefined();
    await h.input.put(
      'in.jsonl',
      [...promptLines(3), '{broken', ...promptLines(8).slice(3)].join('\n'),
    );
    await planJob(h.deps, jobRequest(), never);
    await h.store.remove(`${PREFIX}planned.json`);
    expect((await jobStatus(h.deps, PREFIX, never))?.state).toBe('planning');
    await planJob(h.deps, jobRequest(), never);
    const [first, ...rest] = batchMessages(h.queue).slice(0, 3);
    const run = deliveryOptions();
    if (!first) throw new Error('no batch');
    await runBatch(h.deps, first, run);
    expect(await jobStatus(h.deps, PREFIX, never)).toEqual({
      jobId: 'j1',
      state: 'running',
      batchesDone: 1,
      batchesTotal: 3,
      counts: { total: 9, ok: 3, error: 1, pending: 5 },
      errorKinds: { invalid_input: 1 },
      latestErrors: [
        { id: 'line-4', line: 4, kind: 'invalid_input', message: expect.any(String) as string },
      ],
    });
    for (const m of rest) await runBatch(h.deps, m, run);
    expect(await jobStatus(h.deps, PREFIX, never)).toMatchObject({
      state: 'done',
      batchesDone: 3,
      counts: { total: 9, ok: 8, error: 1, pending: 0 },
    });
  });
});
