/** onJob over HTTP: inline prompts, gs:// inputs, scheduled runs, bad specs and failures. */
import { describe, expect, it } from 'vitest';
import { setAppFactory } from '../../functions/app/runtime.ts';
import { ConfigError } from '../../functions/pipeline/errors.ts';
import { b64, createHarness, post, pushBody, text } from './harness.ts';
import { h, lines, setHarness, upload, urls, useTriggerServers, warnings } from './suite.ts';

useTriggerServers();

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
    setHarness(
      createHarness({
        queue: { publish: () => Promise.reject(new Error('UNAVAILABLE: pubsub down')) },
      }),
    );
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
