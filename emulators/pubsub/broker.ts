/**
 * The emulator's state machine: topics and subscriptions (fan-out per topic); leasing,
 * redelivery and dead-lettering live in leases.ts. Transport-free: the gRPC handlers,
 * StreamingPull streams, unary Pull calls and the push worker all consume messages through the
 * same `Sink` interface.
 */
import { status } from '@grpc/grpc-js';
import { createLeases } from './leases.ts';
import { bytesOf, grpcError, type WireMessage } from './resources.ts';
import type { StoredMessage, SubscriptionResource, SubscriptionState } from './types.ts';

export type {
  ReceivedMessage,
  Sink,
  StoredMessage,
  SubscriptionResource,
  SubscriptionState,
} from './types.ts';

export const DELETED_TOPIC = '_deleted-topic_';

/** Creates an empty broker. `close()` clears every timer. */
export function createBroker() {
  const topics = new Map<string, { name: string; [field: string]: unknown }>();
  const subscriptions = new Map<string, SubscriptionState>();
  let counter = 0;

  function subscription(name: string): SubscriptionState {
    const sub = subscriptions.get(name);
    if (!sub) throw grpcError(status.NOT_FOUND, `Subscription does not exist (resource=${name})`);
    return sub;
  }

  const leases = createLeases(
    () => (counter += 1),
    (target, message) => {
      // A missing dead-letter topic loses the message, as on the service (a DLT needs a subscription).
      if (topics.has(target)) publish(target, [message]);
    },
  );
  const { dispatch, clearSubscription } = leases;

  function publish(topicName: string, messages: WireMessage[]): string[] {
    if (!topics.has(topicName))
      throw grpcError(status.NOT_FOUND, `Topic not found (resource=${topicName})`);
    const now = Date.now();
    const stored = messages.map((m, i): StoredMessage => {
      const data = bytesOf(m.data);
      const attributes = { ...m.attributes };
      if (data.length === 0 && Object.keys(attributes).length === 0) {
        throw grpcError(
          status.INVALID_ARGUMENT,
          `messages[${i}]: a message needs data or at least one attribute`,
        );
      }
      counter += 1;
      return {
        data,
        attributes,
        messageId: String(counter),
        publishMs: now,
        orderingKey: m.orderingKey ?? '',
      };
    });
    for (const sub of subscriptions.values()) {
      if (sub.resource.topic !== topicName) continue;
      for (const message of stored) sub.ready.push({ message, attempts: 0 });
      dispatch(sub);
    }
    return stored.map((m) => m.messageId);
  }

  return {
    topics,
    subscriptions,
    subscription,
    publish,
    dispatch,
    createTopic(name: string, resource: Record<string, unknown>) {
      if (topics.has(name)) throw grpcError(status.ALREADY_EXISTS, 'Topic already exists');
      const topic = { ...resource, name };
      topics.set(name, topic);
      return topic;
    },
    getTopic(name: string) {
      const topic = topics.get(name);
      if (!topic) throw grpcError(status.NOT_FOUND, `Topic not found (resource=${name})`);
      return topic;
    },
    deleteTopic(name: string): void {
      if (!topics.delete(name))
        throw grpcError(status.NOT_FOUND, `Topic not found (resource=${name})`);
      for (const sub of subscriptions.values()) {
        if (sub.resource.topic === name) sub.resource.topic = DELETED_TOPIC;
      }
    },
    createSubscription(resource: SubscriptionResource): SubscriptionResource {
      if (subscriptions.has(resource.name))
        throw grpcError(status.ALREADY_EXISTS, 'Subscription already exists');
      if (!topics.has(resource.topic))
        throw grpcError(status.NOT_FOUND, 'Subscription topic does not exist');
      const state: SubscriptionState = {
        resource,
        ready: [],
        leases: new Map(),
        sinks: new Set(),
        timers: new Set(),
        deleted: false,
      };
      subscriptions.set(resource.name, state);
      return resource;
    },
    deleteSubscription(name: string): void {
      const sub = subscription(name);
      subscriptions.delete(name);
      clearSubscription(sub);
      for (const sink of [...sub.sinks]) sink.gone?.();
      sub.sinks.clear();
    },
    attach: leases.attach,
    detach: leases.detach,
    acknowledge: leases.acknowledge,
    modifyAckDeadline: leases.modifyAckDeadline,
    nack: leases.nack,
    close(): void {
      for (const sub of subscriptions.values()) clearSubscription(sub);
    },
  };
}

export type Broker = ReturnType<typeof createBroker>;
