/**
 * In-project emulator specifics the client-level contract cannot see: raw StreamingPull
 * behaviour (keepalive replies, flow control, cancel, subscription deletion), UNIMPLEMENTED
 * answers, name validation and push dead-lettering. Uses a raw gRPC client on the same protos.
 */
import { Client, credentials, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPubSubEmulator, type PubSubEmulator } from '../../../emulators/pubsub/index.ts';
import { loadPubSubServices } from '../../../emulators/pubsub/protos.ts';

type Body = Record<string, unknown>;
const services = loadPubSubServices();
const P = 'projects/p';
let emulator: PubSubEmulator;
let client: Client;
let n = 0;
const id = (kind: string): string => `${kind}-${++n}`;

function call(service: 'Publisher' | 'Subscriber', method: string, request: Body): Promise<Body> {
  const def = services[service][method];
  if (!def) throw new Error(`no ${service}.${method}`);
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      def.path,
      (value: Body) => def.requestSerialize(value),
      (bytes: Buffer) => def.responseDeserialize(bytes) as Body,
      request,
      (error: ServiceError | null, response?: Body) =>
        error ? reject(error) : resolve(response ?? {}),
    );
  });
}

function streamingPull(): ClientDuplexStream<Body, Body> & { responses: Body[] } {
  const def = services.Subscriber['StreamingPull'];
  if (!def) throw new Error('no StreamingPull');
  const stream = client.makeBidiStreamRequest(
    def.path,
    (value: Body) => def.requestSerialize(value),
    (bytes: Buffer) => def.responseDeserialize(bytes) as Body,
  );
  const responses: Body[] = [];
  stream.on('data', (r: Body) => responses.push(r));
  stream.on('error', () => undefined); // statuses are asserted through 'status'
  return Object.assign(stream, { responses });
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const received = (
  responses: Body[],
): Array<{ ackId: string; message: Body; deliveryAttempt: number }> =>
  responses.flatMap((r) => (r['receivedMessages'] as never[] | undefined) ?? []);

async function topicAndSub(extra: Body = {}): Promise<{ topic: string; sub: string }> {
  const topic = `${P}/topics/${id('topic')}`;
  const sub = `${P}/subscriptions/${id('sub')}`;
  await call('Publisher', 'CreateTopic', { name: topic });
  await call('Subscriber', 'CreateSubscription', { name: sub, topic, ...extra });
  return { topic, sub };
}

const publish = (topic: string, text: string): Promise<Body> =>
  call('Publisher', 'Publish', { topic, messages: [{ data: Buffer.from(text) }] });

beforeAll(async () => {
  emulator = await startPubSubEmulator({ pushRetryDelayMs: 5 });
  client = new Client(emulator.host, credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  await emulator?.close();
});

describe('in-project Pub/Sub emulator', () => {
  it('answers unserved RPCs with UNIMPLEMENTED naming the RPC, and journals them', async () => {
    await expect(
      call('Subscriber', 'Seek', { subscription: `${P}/subscriptions/abc` }),
    ).rejects.toMatchObject({
      code: 12,
      details: expect.stringContaining('google.pubsub.v1.Subscriber/Seek') as unknown,
    });
    expect(emulator.journal().at(-1)).toMatchObject({ rpc: 'Subscriber/Seek' });
  });

  it('rejects malformed names with INVALID_ARGUMENT naming the field', async () => {
    await expect(call('Publisher', 'CreateTopic', { name: 'topics/x' })).rejects.toMatchObject({
      code: 3,
      details: expect.stringContaining('name=topics/x') as unknown,
    });
    await expect(
      call('Publisher', 'CreateTopic', { name: `${P}/topics/t1` }),
    ).rejects.toMatchObject({ code: 3 });
  });

  it('answers a keepalive ping on StreamingPull with an empty response', async () => {
    const { sub } = await topicAndSub();
    const stream = streamingPull();
    stream.write({ subscription: sub, streamAckDeadlineSeconds: 10, protocolVersion: 1 });
    await until('subscription properties', () => stream.responses.length === 1);
    stream.write({});
    await until('the keepalive reply', () => stream.responses.length === 2);
    expect(received(stream.responses.slice(1))).toEqual([]);
    stream.cancel();
  });

  it('honours maxOutstandingMessages and delivers the next message after an ack', async () => {
    const { topic, sub } = await topicAndSub();
    const stream = streamingPull();
    stream.write({ subscription: sub, streamAckDeadlineSeconds: 10, maxOutstandingMessages: 1 });
    await publish(topic, 'a');
    await publish(topic, 'b');
    await until('one message', () => received(stream.responses).length === 1);
    const [first] = received(stream.responses);
    await call('Subscriber', 'Acknowledge', { subscription: sub, ackIds: [first?.ackId] });
    await until('the second message', () => received(stream.responses).length === 2);
    expect(
      received(stream.responses).map((m) => Buffer.from(m.message['data'] as Buffer).toString()),
    ).toEqual(['a', 'b']);
    stream.cancel();
  });

  it('stops delivering to a cancelled stream (the next Pull gets the message)', async () => {
    const { topic, sub } = await topicAndSub();
    const stream = streamingPull();
    stream.write({ subscription: sub, streamAckDeadlineSeconds: 10 });
    await until('stream open', () => stream.responses.length === 1);
    stream.cancel();
    await new Promise((resolve) => stream.on('status', resolve));
    await publish(topic, 'after-cancel');
    let got: Body[] = [];
    for (let i = 0; i < 5 && got.length === 0; i++) {
      got =
        ((await call('Subscriber', 'Pull', { subscription: sub, maxMessages: 5 }))[
          'receivedMessages'
        ] as Body[]) ?? [];
    }
    expect(got).toHaveLength(1);
  });

  it('ends open streams with NOT_FOUND when their subscription is deleted', async () => {
    const { sub } = await topicAndSub();
    const stream = streamingPull();
    const status = new Promise<{ code: number }>((resolve) => stream.on('status', resolve));
    stream.write({ subscription: sub, streamAckDeadlineSeconds: 10 });
    await until('stream open', () => stream.responses.length === 1);
    await call('Subscriber', 'DeleteSubscription', { subscription: sub });
    expect((await status).code).toBe(5);
  });

  it('push: retries a refused connection with deliveryAttempt, then dead-letters', async () => {
    const dlt = `${P}/topics/${id('dlt')}`;
    await call('Publisher', 'CreateTopic', { name: dlt });
    const dltSub = `${P}/subscriptions/${id('dlt-sub')}`;
    await call('Subscriber', 'CreateSubscription', { name: dltSub, topic: dlt });
    const { topic } = await topicAndSub({
      pushConfig: { pushEndpoint: 'http://127.0.0.1:9/unreachable' },
      deadLetterPolicy: { deadLetterTopic: dlt, maxDeliveryAttempts: 5 },
    });
    await publish(topic, 'never-delivered');
    let dead: Body[] = [];
    const deadline = Date.now() + 15_000;
    while (dead.length === 0 && Date.now() < deadline) {
      dead =
        ((await call('Subscriber', 'Pull', { subscription: dltSub, maxMessages: 5 }))[
          'receivedMessages'
        ] as Body[]) ?? [];
    }
    const message = dead[0]?.['message'] as Body | undefined;
    expect(Buffer.from(message?.['data'] as Buffer).toString()).toBe('never-delivered');
    expect(message?.['attributes']).toMatchObject({
      CloudPubSubDeadLetterSourceDeliveryCount: '5',
    });
  });
});
