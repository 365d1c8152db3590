/**
 * One Pub/Sub contract, run with the real @google-cloud/pubsub client against every available
 * backend: the official emulator (when the gcloud SDK has it) and the in-project one.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PubSub, v1, type Message, type Subscription } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPubSubQueue } from '../../../functions/adapters/pubsub/queue.ts';
import {
  availablePubSubBackends,
  startPubSubBackend,
  type PubSubBackend,
} from '../../support/pubsub-backend.ts';

// No GCE metadata probe (and no MetadataLookupWarning) when gax asks for a universe domain.
process.env['METADATA_SERVER_DETECTION'] = 'none';

let counter = 0;
const unique = (prefix: string): string => `${prefix}-${process.pid}-${Date.now()}-${++counter}`;

async function waitFor(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.each(availablePubSubBackends())('Pub/Sub contract [%s]', (kind) => {
  let backend: PubSubBackend;
  let pubsub: PubSub;
  let subscriber: v1.SubscriberClient;
  const open: Subscription[] = [];

  beforeAll(async () => {
    backend = await startPubSubBackend(kind);
    console.warn(`Pub/Sub backend: ${kind} at ${backend.host}`);
    pubsub = new PubSub({ projectId: 'test-project', apiEndpoint: backend.host });
    // Same endpoint, project and insecure channel credentials the PubSub object chose.
    subscriber = new v1.SubscriberClient({ ...(await pubsub.getClientConfig()) });
  });

  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await subscriber?.close();
    await pubsub?.close();
    await backend?.close();
  });

  /** Streaming subscriber (the client's on('message') path), closed in afterAll. */
  function listen(sub: Subscription, onMessage: (m: Message) => void): void {
    open.push(sub);
    sub.on('message', onMessage);
    sub.on('error', (error) => console.warn(`[${kind}] subscription error`, error));
  }

  async function pullOnce(
    subscription: string,
  ): Promise<v1.protos.google.pubsub.v1.IReceivedMessage[]> {
    const [response] = await subscriber.pull({ subscription, maxMessages: 10 }, { timeout: 5000 });
    return response.receivedMessages ?? [];
  }

  async function topicWithDeadLetters(ackDeadlineSeconds = 10) {
    const [topic] = await pubsub.createTopic(unique('topic'));
    const [dlt] = await pubsub.createTopic(unique('dlt'));
    const [dltSub] = await dlt.createSubscription(unique('dlt-sub'));
    const [sub] = await topic.createSubscription(unique('sub'), {
      ackDeadlineSeconds,
      deadLetterPolicy: { deadLetterTopic: dlt.name, maxDeliveryAttempts: 5 },
    });
    return { topic, dlt, dltSub, sub };
  }

  it(`[${kind}] delivers data and attributes to on('message'); an acked message is not redelivered`, async () => {
    const [topic] = await pubsub.createTopic(unique('topic'));
    const [sub] = await topic.createSubscription(unique('sub'));
    const got: Message[] = [];
    listen(sub, (m) => {
      got.push(m);
      m.ack();
    });
    const id = await topic.publishMessage({
      data: Buffer.from('hello'),
      attributes: { kind: 'greeting' },
    });
    await waitFor('the message', () => got.length > 0);
    expect(got[0]?.id).toBe(id);
    expect(got[0]?.data.toString()).toBe('hello');
    expect(got[0]?.attributes).toEqual({ kind: 'greeting' });
    expect(got[0]?.publishTime.getTime()).toBeGreaterThan(0);

    // Acked through unary Acknowledge: a later nack of the same ack id must not bring it back.
    const [pullSub] = await topic.createSubscription(unique('pull'));
    await topic.publishMessage({ data: Buffer.from('once') });
    const [first] = await pullOnce(pullSub.name);
    expect(first?.message?.data?.toString()).toBe('once');
    await subscriber.acknowledge({ subscription: pullSub.name, ackIds: [first?.ackId ?? ''] });
    await subscriber.modifyAckDeadline({
      subscription: pullSub.name,
      ackIds: [first?.ackId ?? ''],
      ackDeadlineSeconds: 0,
    });
    const [response] = await subscriber.pull({
      subscription: pullSub.name,
      maxMessages: 10,
      returnImmediately: true,
    });
    expect(response.receivedMessages ?? []).toEqual([]);
  });

  it(`[${kind}] a nacked message comes back with deliveryAttempt 2 (dead-letter policy set)`, async () => {
    const { topic, sub } = await topicWithDeadLetters();
    const attempts: number[] = [];
    listen(sub, (m) => {
      attempts.push(m.deliveryAttempt);
      if (m.deliveryAttempt < 2) m.nack();
      else m.ack();
    });
    await topic.publishMessage({ json: { n: 1 } });
    await waitFor('the redelivery', () => attempts.length >= 2);
    expect(attempts.slice(0, 2)).toEqual([1, 2]);
  });

  it(`[${kind}] dead-letters after maxDeliveryAttempts with the source attributes`, async () => {
    const { topic, sub, dltSub } = await topicWithDeadLetters();
    const attempts: number[] = [];
    const dead: Message[] = [];
    listen(sub, (m) => {
      attempts.push(m.deliveryAttempt);
      m.nack();
    });
    listen(dltSub, (m) => {
      dead.push(m);
      m.ack();
    });
    await topic.publishMessage({ data: Buffer.from('poison'), attributes: { k: 'v' } });
    await waitFor('the dead letter', () => dead.length > 0, 20_000);
    expect(attempts).toEqual([1, 2, 3, 4, 5]);
    expect(dead[0]?.data.toString()).toBe('poison');
    expect(dead[0]?.attributes).toMatchObject({
      k: 'v',
      CloudPubSubDeadLetterSourceDeliveryCount: '5',
      CloudPubSubDeadLetterSourceSubscription: sub.name.split('/').pop(),
      CloudPubSubDeadLetterSourceSubscriptionProject: 'test-project',
    });
    expect(
      Date.parse(dead[0]?.attributes['CloudPubSubDeadLetterSourceTopicPublishTime'] ?? ''),
    ).toBeGreaterThan(0);
  });

  it(`[${kind}] an expired lease is redelivered (unary Pull, so nothing extends it)`, async () => {
    const { topic, sub } = await topicWithDeadLetters();
    const id = await topic.publishMessage({ data: Buffer.from('slow') });
    const [first] = await pullOnce(sub.name);
    expect(first?.message?.messageId).toBe(id);
    expect(first?.deliveryAttempt).toBe(1);
    // Shorten the lease to 1 s and never ack.
    await subscriber.modifyAckDeadline({
      subscription: sub.name,
      ackIds: [first?.ackId ?? ''],
      ackDeadlineSeconds: 1,
    });
    let again: v1.protos.google.pubsub.v1.IReceivedMessage | undefined;
    const deadline = Date.now() + 15_000;
    while (!again && Date.now() < deadline) [again] = await pullOnce(sub.name);
    expect(again?.message?.messageId).toBe(id);
    expect(again?.deliveryAttempt).toBe(2);
    expect(again?.ackId).not.toBe(first?.ackId);
  });

  it(`[${kind}] pushes the wrapped body to pushEndpoint and retries after a 500`, async () => {
    const bodies: Array<Record<string, unknown>> = [];
    const server: Server = createServer((req: IncomingMessage, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      req.on('end', () => {
        bodies.push(JSON.parse(raw) as Record<string, unknown>);
        res.statusCode = bodies.length < 3 ? 500 : 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const [topic] = await pubsub.createTopic(unique('topic'));
      const [dlt] = await pubsub.createTopic(unique('dlt'));
      const [sub] = await topic.createSubscription(unique('push'), {
        pushConfig: {
          pushEndpoint: `http://127.0.0.1:${port}/projects/test-project/topics/${topic.name.split('/').pop()}`,
        },
        deadLetterPolicy: { deadLetterTopic: dlt.name, maxDeliveryAttempts: 5 },
      });
      const id = await topic.publishMessage({
        data: Buffer.from('{"x":1}'),
        attributes: { a: 'b' },
      });
      await waitFor('three pushes', () => bodies.length >= 3, 20_000);
      const message = bodies[0]?.['message'] as Record<string, unknown>;
      expect(Buffer.from(String(message['data']), 'base64').toString()).toBe('{"x":1}');
      expect(message['attributes']).toEqual({ a: 'b' });
      expect(message['messageId']).toBe(id);
      expect(Date.parse(String(message['publishTime']))).toBeGreaterThan(0);
      expect(bodies[0]?.['subscription']).toBe(sub.name);
      expect(bodies.map((b) => (b['message'] as Record<string, unknown>)['messageId'])).toEqual([
        id,
        id,
        id,
      ]);
      if (bodies[0]?.['deliveryAttempt'] !== undefined) {
        expect(bodies.map((b) => b['deliveryAttempt'])).toEqual([1, 2, 3]);
      } else {
        console.warn(`[${kind}] push body carries no deliveryAttempt; not asserted`);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it(`[${kind}] duplicate create → ALREADY_EXISTS; unknown topic/subscription → NOT_FOUND`, async () => {
    const name = unique('topic');
    const [topic] = await pubsub.createTopic(name);
    await expect(pubsub.createTopic(name)).rejects.toMatchObject({ code: 6 });
    const subName = unique('sub');
    await topic.createSubscription(subName);
    await expect(topic.createSubscription(subName)).rejects.toMatchObject({ code: 6 });
    await expect(
      pubsub.topic(unique('missing')).publishMessage({ data: Buffer.from('x') }),
    ).rejects.toMatchObject({ code: 5 });
    await expect(
      pubsub.topic(unique('missing')).createSubscription(unique('sub')),
    ).rejects.toMatchObject({ code: 5 });
    await expect(pubsub.subscription(unique('missing')).getMetadata()).rejects.toMatchObject({
      code: 5,
    });
    expect((await pubsub.topic(unique('missing')).exists())[0]).toBe(false);
    expect((await topic.exists())[0]).toBe(true);
  });

  it(`[${kind}] createPubSubQueue publishes JSON and resolves with the message id`, async () => {
    const [topic] = await pubsub.createTopic(unique('topic'));
    const [sub] = await topic.createSubscription(unique('sub'));
    const queue = createPubSubQueue(pubsub);
    const shortName = topic.name.split('/').pop() ?? '';
    const signal = AbortSignal.timeout(10_000);
    const ids = await Promise.all([
      queue.publish(shortName, { data: { batch: 1 }, attributes: { jobId: 'j' } }, signal),
      queue.publish(topic.name, { data: [1, 'two', null] }, signal),
    ]);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    const received = new Map<string, unknown>();
    const deadline = Date.now() + 15_000;
    while (received.size < 2 && Date.now() < deadline) {
      for (const r of await pullOnce(sub.name)) {
        received.set(r.message?.messageId ?? '', [
          JSON.parse(r.message?.data?.toString() ?? ''),
          r.message?.attributes,
        ]);
      }
    }
    expect(received.get(ids[0])).toEqual([{ batch: 1 }, { jobId: 'j' }]);
    expect(received.get(ids[1])).toEqual([[1, 'two', null], {}]);
    await expect(queue.publish(unique('missing'), { data: 1 }, signal)).rejects.toMatchObject({
      code: 5,
    });
  });
});
