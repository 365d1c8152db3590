import { describe, expect, it } from 'vitest';
import { InvalidMessageError } from '../../functions/pipeline/errors.ts';
import { decodePubSub } from '../../functions/triggers/decode-pubsub.ts';
import { decodeStorage } from '../../functions/triggers/decode-storage.ts';
import { messageJson, parseBatchMessage } from '../../functions/triggers/decode-message.ts';

const b64 = (v: unknown) =>
  Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64');
const text = (d: Uint8Array) => new TextDecoder().decode(d);
const ceHeaders = (type: string) => ({
  'ce-id': '1',
  'ce-specversion': '1.0',
  'ce-type': type,
  'ce-source': '//pubsub.googleapis.com/projects/p/topics/t',
});
const PUB = 'google.cloud.pubsub.topic.v1.messagePublished';
const FIN = 'google.cloud.storage.object.v1.finalized';

describe('decodePubSub', () => {
  const message = {
    data: b64({ a: 1 }),
    attributes: { k: 'v' },
    messageId: '11',
    publishTime: '2026-11-28T01:00:00Z',
  };
  it.each([
    [
      'raw push with deliveryAttempt',
      {},
      { message, subscription: 'projects/p/subscriptions/s', deliveryAttempt: 3 },
      'push',
      3,
    ],
    [
      'raw push without deliveryAttempt',
      {},
      { message, subscription: 'projects/p/subscriptions/s' },
      'push',
      undefined,
    ],
    [
      'raw push with snake_case ids',
      {},
      {
        message: {
          data: message.data,
          attributes: { k: 'v' },
          message_id: '11',
          publish_time: '2026-11-28T01:00:00Z',
        },
      },
      'push',
      undefined,
    ],
    [
      'Eventarc binary',
      ceHeaders(PUB),
      { message, subscription: 'projects/p/subscriptions/s' },
      'cloudevent-binary',
      undefined,
    ],
    [
      'Eventarc structured',
      {},
      { specversion: '1.0', id: '1', type: PUB, source: 's', data: { message, subscription: 'x' } },
      'cloudevent-structured',
      undefined,
    ],
    ['a JSON body as text', {}, JSON.stringify({ message }), 'push', undefined],
    ['a JSON body as bytes', {}, Buffer.from(JSON.stringify({ message })), 'push', undefined],
  ])('%s', (_name, headers, body, envelope, attempt) => {
    const d = decodePubSub(headers, body);
    expect(text(d.data)).toBe('{"a":1}');
    expect(d.attributes).toEqual({ k: 'v' });
    expect(d.messageId).toBe('11');
    expect(d.publishTime).toBe('2026-11-28T01:00:00Z');
    expect(d.envelope).toBe(envelope);
    expect(d.deliveryAttempt).toBe(attempt);
  });

  it('accepts attribute-only messages', () => {
    const d = decodePubSub(
      {},
      { message: { attributes: { scheduledRun: 'true' }, messageId: '2' } },
    );
    expect(d.data.length).toBe(0);
    expect(() => messageJson(d)).toThrow(/no data \(attributes only: scheduledRun\)/);
  });

  it.each([
    ['garbage text', 'not json at all', /not JSON/],
    ['an empty body', '', /empty/],
    ['a JSON array', [1, 2], /not a JSON object/],
    ['no message', { hello: 'world' }, /no "message" object/],
    ['bad base64', { message: { data: '***' } }, /not base64/],
    ['empty message', { message: { messageId: '1' } }, /neither data nor attributes/],
    ['another CloudEvent type', { specversion: '1.0', type: 'x.y', data: {} }, /is not google/],
  ])('rejects %s as an InvalidMessageError', (_n, body, re) => {
    expect(() => decodePubSub({}, body)).toThrow(InvalidMessageError);
    expect(() => decodePubSub({}, body)).toThrow(re);
  });

  it('rejects non-JSON data when the payload is read', () => {
    const d = decodePubSub({}, { message: { data: b64('{oops') } });
    expect(() => messageJson(d)).toThrow(/message data is not JSON/);
  });
});

describe('decodeStorage', () => {
  const object = (generation: unknown, size: unknown) => ({
    bucket: 'b',
    name: 'inputs/a.jsonl',
    generation,
    metageneration: '1',
    size,
    kind: 'storage#object',
  });
  const expected = {
    eventType: 'OBJECT_FINALIZE',
    bucket: 'b',
    name: 'inputs/a.jsonl',
    generation: '1700000000000001',
    size: 42,
  };
  it.each([
    ['Eventarc binary, string int64', { ...ceHeaders(FIN) }, object('1700000000000001', '42')],
    ['Eventarc binary, numeric int64', { ...ceHeaders(FIN) }, object(1700000000000001, 42)],
    [
      'Eventarc structured',
      {},
      { specversion: '1.0', id: '1', type: FIN, source: 's', data: object('1700000000000001', 42) },
    ],
    [
      'GCS notification push',
      {},
      {
        message: {
          data: b64(object('1700000000000001', '42')),
          attributes: {
            eventType: 'OBJECT_FINALIZE',
            bucketId: 'b',
            objectId: 'inputs/a.jsonl',
            objectGeneration: '1700000000000001',
          },
          messageId: '5',
        },
        subscription: 'projects/p/subscriptions/uploads',
        deliveryAttempt: 1,
      },
    ],
  ])('%s', (_n, headers, body) => {
    expect(decodeStorage(headers, body)).toEqual(expected);
  });

  it('reports other Storage event kinds without failing', () => {
    expect(decodeStorage(ceHeaders('google.cloud.storage.object.v1.deleted'), {}).eventType).toBe(
      'google.cloud.storage.object.v1.deleted',
    );
  });

  it.each([
    ['a plain Pub/Sub message', { message: { data: b64({ a: 1 }) } }, /no eventType attribute/],
    [
      'a bad generation',
      { specversion: '1.0', type: FIN, data: object('x1', 1) },
      /"generation" is not an int64/,
    ],
    [
      'no name',
      { specversion: '1.0', type: FIN, data: { bucket: 'b', generation: '1' } },
      /"name" is missing/,
    ],
  ])('rejects %s', (_n, body, re) => {
    expect(() => decodeStorage({}, body)).toThrow(re);
  });
});

describe('parseBatchMessage', () => {
  const ok = {
    jobId: 'j',
    prefix: 'jobs/j/',
    batch: 0,
    input: { bucket: 'b', name: 'n', generation: '7' },
    start: 0,
    end: 10,
    firstLine: 1,
  };
  it('accepts the planner output', () => expect(parseBatchMessage(ok)).toEqual(ok));
  it.each([
    [{ ...ok, batch: -1 }, /"batch" must be an integer/],
    [{ ...ok, input: 'gs://b/n' }, /"input" must be an object/],
    [{ ...ok, prefix: '' }, /"prefix" must be a non-empty string/],
  ])('rejects %o', (bad, re) => expect(() => parseBatchMessage(bad)).toThrow(re));
});
