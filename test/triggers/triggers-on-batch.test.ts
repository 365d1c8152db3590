/** onBatch and jobStatus over HTTP: a whole job through the batch trigger, then its status. */
import { describe, expect, it } from 'vitest';
import type { BatchMessage } from '../../functions/pipeline/types.ts';
import { post, pushBody, text } from './harness.ts';
import { h, lines, published, upload, warnings, urls, useTriggerServers } from './suite.ts';

useTriggerServers();

describe('onBatch and jobStatus', () => {
  it('runs every batch (deliveryAttempt passed or defaulted), finishes the job, reports status', async () => {
    await upload('run.jsonl', lines(5));
    const planned = await post(urls.onJob, pushBody({ input: 'run.jsonl', jobId: 'run-1' }));
    expect(planned.json.batches).toBe(3);
    const messages = published();
    const answers = [];
    for (const [i, m] of messages.entries()) {
      answers.push(await post(urls.onBatch, pushBody(m, i === 0 ? {} : { deliveryAttempt: 2 })));
    }
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.map((a) => a.json.deliveryAttempt)).toEqual([1, 2, 2]);
    expect(answers.at(-1)?.json.jobFinished).toBe(true);
    const replay = await post(urls.onBatch, pushBody(messages[0]));
    expect(replay.json.status).toBe('already-done');
    const results = text(h.store.dump().get('jobs/run-1/results.jsonl')).trim().split('\n');
    expect(results.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual([
      'p1',
      'p2',
      'p3',
      'p4',
      'p5',
    ]);
    const status = await fetch(`${urls.jobStatus}/?jobId=run-1`);
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({
      jobId: 'run-1',
      state: 'done',
      batchesDone: 3,
      batchesTotal: 3,
      counts: { total: 5, ok: 5, error: 0, pending: 0 },
    });
  });

  it('acks a batch of an unknown job and a prefix that escapes its job', async () => {
    const m: BatchMessage = {
      jobId: 'ghost',
      prefix: 'jobs/ghost/',
      batch: 0,
      input: { bucket: 'data-bucket', name: 'x' },
      start: 0,
      end: 1,
      firstLine: 1,
    };
    expect((await post(urls.onBatch, pushBody(m))).status).toBe(200);
    expect((await post(urls.onBatch, pushBody({ ...m, prefix: 'jobs/other/' }))).status).toBe(200);
    expect(warnings()).toHaveLength(2);
    expect(warnings()[1]).toMatch(/prefix "jobs\/other\/"/);
  });

  it('jobStatus: 404 for no such job, 400 for a bad id', async () => {
    expect((await fetch(`${urls.jobStatus}/?jobId=none`)).status).toBe(404);
    expect((await fetch(`${urls.jobStatus}/?jobId=..%2Fx`)).status).toBe(400);
    expect((await fetch(`${urls.jobStatus}/`)).status).toBe(400);
  });
});
