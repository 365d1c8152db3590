/** onUpload over HTTP: GCS notification pushes plan jobs; bad ones are acked with a warning. */
import { describe, expect, it } from 'vitest';
import { jobIdForUpload, jobPrefix } from '../../functions/pipeline/job-id.ts';
import { post, text } from './harness.ts';
import {
  h,
  lines,
  notification,
  published,
  upload,
  warnings,
  urls,
  useTriggerServers,
} from './suite.ts';

useTriggerServers();

describe('onUpload', () => {
  it('plans a job from a GCS notification push, with options from the sidecar', async () => {
    await upload('inputs/a.job.json', JSON.stringify({ model: 'gemini-x', batchLines: 3 }));
    const info = await upload('inputs/a.jsonl', lines(7));
    const res = await post(urls.onUpload, notification('inputs/a.jsonl', info.generation));
    const jobId = await jobIdForUpload({
      bucket: 'data-bucket',
      name: 'inputs/a.jsonl',
      generation: info.generation,
    });
    expect(res).toMatchObject({
      status: 200,
      json: { jobId, batches: 3, published: 3, created: true },
    });
    const manifest = JSON.parse(text(h.store.dump().get(`${jobPrefix(jobId)}manifest.json`))) as {
      options: { model: string };
    };
    expect(manifest.options.model).toBe('gemini-x');
    expect(published().map((m) => m.batch)).toEqual([0, 1, 2]);
  });

  it.each([
    ['string int64', (g: string) => g],
    ['numeric int64', (g: string) => Number(g)],
  ])('plans the same job from an Eventarc finalized event with %s fields', async (_n, gen) => {
    const info = await upload('inputs/b.jsonl', lines(3));
    const data = {
      bucket: 'data-bucket',
      name: 'inputs/b.jsonl',
      generation: gen(info.generation),
      size: gen('10'),
    };
    const headers = {
      'ce-id': '1',
      'ce-specversion': '1.0',
      'ce-type': 'google.cloud.storage.object.v1.finalized',
      'ce-source': '//storage.googleapis.com/projects/_/buckets/data-bucket',
    };
    const first = await post(urls.onUpload, data, headers);
    const again = await post(urls.onUpload, data, headers);
    expect(first.json).toMatchObject({ created: true, batches: 2 });
    expect(again.json).toMatchObject({ jobId: first.json.jobId, created: false, published: 0 });
  });

  it.each([
    ['a sidecar', 'inputs/c.job.json', 'data-bucket', /is a sidecar/],
    ['an object outside inputs/', 'other/c.jsonl', 'data-bucket', /not under inputs\//],
    ['a bucket outside the allow-list', 'inputs/c.jsonl', 'evil-bucket', /not allow-listed/],
  ])('acks %s with a logged reason', async (_n, name, bucket, reason) => {
    const res = await post(urls.onUpload, notification(name, '5', bucket));
    expect(res.status).toBe(200);
    expect(warnings().join('\n')).toMatch(reason);
    expect(published()).toHaveLength(0);
  });

  it('acks a bad sidecar, naming the option', async () => {
    await upload('inputs/d.job.json', JSON.stringify({ concurrency: 0 }));
    const info = await upload('inputs/d.jsonl', lines(1));
    const res = await post(urls.onUpload, notification('inputs/d.jsonl', info.generation));
    expect(res.status).toBe(200);
    expect(warnings().join('\n')).toMatch(/concurrency/);
  });
});
