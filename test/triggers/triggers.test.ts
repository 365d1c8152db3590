import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setAppFactory } from '../../functions/app/runtime.ts';
import { ConfigError } from '../../functions/pipeline/errors.ts';
import { jobIdForUpload, jobPrefix } from '../../functions/pipeline/job-id.ts';
import type { BatchMessage } from '../../functions/pipeline/types.ts';
import {
  createHarness,
  FUNCTIONS,
  post,
  pushBody,
  b64,
  serve,
  text,
  type FunctionName,
  type Harness,
} from './harness.ts';

const urls = {} as Record<FunctionName, string>;
const closers: Array<() => Promise<void>> = [];
let h: Harness;

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

const lines = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({ id: `p${i + 1}`, prompt: `q${i + 1}` }),
  ).join('\n') + '\n';
const warnings = () => h.logs.filter((l) => l.severity === 'WARNING').map((l) => String(l.message));
const published = (): BatchMessage[] =>
  h.queue.published('sluice-batches').map((d) => d.data as unknown as BatchMessage);

async function upload(name: string, body: string) {
  return h.store.write(name, body, { signal: AbortSignal.timeout(5000) });
}

function notification(name: string, generation: string, bucket = 'data-bucket') {
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

describe('onJob', () => {
  it('writes inline prompts once and plans from them (raw push, snake_case ids)', async () => {
    const body = {
      message: {
        data: b64({
          prompts: [
            { id: 'x', prompt: 'hi' },
            { id: 'y', prompt: 'yo' },
            { id: 'z', prompt: 'z' },
          ],
        }),
        message_id: '9',
        publish_time: '2026-11-28T00:00:00Z',
      },
    };
    const res = await post(urls.onJob, body);
    expect(res.status).toBe(200);
    const prefix = String(res.json.prefix);
    expect(text(h.store.dump().get(`${prefix}input.jsonl`)).split('\n')).toHaveLength(4);
    const again = await post(urls.onJob, body);
    expect(again.json).toMatchObject({ jobId: res.json.jobId, created: false });
  });

  it('plans an input named by gs:// URI from an Eventarc binary and a structured event', async () => {
    await h.other.write('sets/e.jsonl', lines(4), { signal: AbortSignal.timeout(5000) });
    const published_ = {
      message: {
        data: b64({ input: 'gs://other-bucket/sets/e.jsonl', jobId: 'eval-1' }),
        messageId: '1',
      },
      subscription: 's',
    };
    const binary = await post(urls.onJob, published_, {
      'ce-id': '1',
      'ce-specversion': '1.0',
      'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
      'ce-source': '//pubsub.googleapis.com/projects/proj/topics/sluice-jobs',
    });
    expect(binary.json).toMatchObject({ jobId: 'eval-1', batches: 2, created: true });
    const structured = await post(
      urls.onJob,
      {
        specversion: '1.0',
        id: '2',
        type: 'google.cloud.pubsub.topic.v1.messagePublished',
        source: 's',
        data: published_,
      },
      { 'content-type': 'application/cloudevents+json' },
    );
    expect(structured.json).toMatchObject({ jobId: 'eval-1', created: false });
  });

  it('gives scheduled runs one job per UTC day of the publish time', async () => {
    await upload('nightly.jsonl', lines(1));
    const spec = { input: 'nightly.jsonl' };
    const at = (publishTime: string) =>
      post(urls.onJob, pushBody(spec, { attributes: { scheduledRun: 'true' }, publishTime }));
    const night1 = await at('2026-11-28T02:00:00Z');
    const redelivered = await at('2026-11-28T02:09:00Z');
    const night2 = await at('2026-11-29T02:00:00Z');
    expect(String(night1.json.jobId)).toMatch(/-20261128$/);
    expect(redelivered.json.jobId).toBe(night1.json.jobId);
    expect(night2.json.jobId).not.toBe(night1.json.jobId);
  });

  it.each([
    [
      'a garbage text body',
      'garbage!!',
      { 'content-type': 'text/plain' },
      /request body is not JSON/,
    ],
    ['a JSON body that is no Pub/Sub message', { hello: 1 }, {}, /no "message" object/],
    ['non-JSON data', { message: { data: b64('{nope') } }, {}, /message data is not JSON/],
    [
      'an attribute-only message',
      { message: { attributes: { a: 'b' } } },
      {},
      /no data \(attributes only: a\)/,
    ],
    [
      'a schema-invalid spec',
      pushBody({ input: 'x.jsonl', concurrency: 'lots' }),
      {},
      /concurrency/,
    ],
    ['a spec with neither input nor prompts', pushBody({ model: 'm' }), {}, /"input" is missing/],
    ['an input escaping its folder', pushBody({ input: 'gs://data-bucket/../etc' }), {}, /"\.\."/],
    ['a missing input', pushBody({ input: 'nope.jsonl' }), {}, /does not exist/],
  ])('acks %s with a logged reason', async (_n, body, headers, reason) => {
    const res = await post(urls.onJob, body, headers);
    expect(res.status).toBe(200);
    expect(res.json.ack).toBe(true);
    expect(warnings().join('\n')).toMatch(reason);
  });

  it('answers 500 on a transient failure so Pub/Sub redelivers', async () => {
    h = createHarness({
      queue: { publish: () => Promise.reject(new Error('UNAVAILABLE: pubsub down')) },
    });
    await upload('t.jsonl', lines(2));
    const res = await post(urls.onJob, pushBody({ input: 't.jsonl' }));
    expect(res.status).toBe(500);
    expect(
      h.logs.some((l) => l.severity === 'ERROR' && String(l.message).includes('pubsub down')),
    ).toBe(true);
  });

  it('answers 500 with the variable named when the configuration is bad', async () => {
    setAppFactory(() => {
      throw new ConfigError('SLUICE_BUCKET is not set: expected a bucket name');
    });
    const res = await post(urls.onJob, pushBody({ input: 'x' }));
    expect(res.status).toBe(500);
    expect(String(res.json.message)).toContain('SLUICE_BUCKET');
  });
});

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
