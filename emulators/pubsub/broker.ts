/**
 * The emulator's state machine: topics, subscriptions (fan-out per topic), leases with ack
 * deadlines, redelivery on nack or expiry, delivery-attempt counting and dead-lettering.
 * Transport-free: the gRPC handlers, StreamingPull streams, unary Pull calls and the push worker
 * all consume messages through the same `Sink` interface.
 */
import { status } from '@grpc/grpc-js';
import {
  bytesOf,
  durationMs,
  grpcError,
  projectOf,
  shortId,
  timestamp,
  type WireMessage,
} from './resources.ts';

export interface StoredMessage {
  data: Buffer;
  attributes: Record<string, string>;
  messageId: string;
  publishMs: number;
  orderingKey: string;
}

interface Entry {
  message: StoredMessage;
  /** Deliveries so far: 1 + nacks + expiries once delivered. */
  attempts: number;
}

interface Lease {
  entry: Entry;
  sink: Sink;
  timer: ReturnType<typeof setTimeout>;
}

export interface ReceivedMessage {
  ackId: string;
  message: WireMessage;
  /** Set only when the subscription has a dead-letter policy (as the service does); else 0. */
  deliveryAttempt: number;
}

/** A consumer of one subscription: a StreamingPull stream, a pending Pull, or the pusher. */
export interface Sink {
  /** How many more messages it takes now (Infinity = no limit). */
  free(): number;
  /** Lease length for messages handed to this sink. */
  ackDeadlineSeconds(): number;
  deliver(messages: ReceivedMessage[]): void;
  /** The subscription was deleted: end with NOT_FOUND. */
  gone?(): void;
  /** Leases currently held (maintained by the broker). */
  outstanding: number;
}

/** The Subscription resource as stored and returned by GetSubscription. */
export interface SubscriptionResource {
  name: string;
  topic: string;
  ackDeadlineSeconds?: number;
  pushConfig?: { pushEndpoint?: string; attributes?: Record<string, string> };
  deadLetterPolicy?: { deadLetterTopic?: string; maxDeliveryAttempts?: number };
  retryPolicy?: {
    minimumBackoff?: { seconds?: string; nanos?: number };
    maximumBackoff?: { seconds?: string; nanos?: number };
  };
  [field: string]: unknown;
}

export interface SubscriptionState {
  resource: SubscriptionResource;
  ready: Entry[];
  leases: Map<string, Lease>;
  sinks: Set<Sink>;
  timers: Set<ReturnType<typeof setTimeout>>;
  deleted: boolean;
}

const noDelay = (): number => 0;

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

  function maxAttempts(sub: SubscriptionState): number | undefined {
    const policy = sub.resource.deadLetterPolicy;
    if (!policy?.deadLetterTopic) return undefined;
    return policy.maxDeliveryAttempts || 5;
  }

  function wire(message: StoredMessage): WireMessage {
    return {
      data: message.data,
      attributes: message.attributes,
      messageId: message.messageId,
      publishTime: timestamp(message.publishMs),
      orderingKey: message.orderingKey,
    };
  }

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

  function dispatch(sub: SubscriptionState): void {
    while (!sub.deleted && sub.ready.length > 0) {
      const open = [...sub.sinks].filter((s) => s.free() > 0);
      if (open.length === 0) return;
      const share = Math.ceil(sub.ready.length / open.length);
      for (const sink of open) {
        const entries = sub.ready.splice(0, Math.min(share, sink.free()));
        if (entries.length > 0) sink.deliver(entries.map((e) => lease(sub, e, sink)));
      }
    }
  }

  function lease(sub: SubscriptionState, entry: Entry, sink: Sink): ReceivedMessage {
    entry.attempts += 1;
    counter += 1;
    const ackId = `${sub.resource.name}:${counter}`;
    const timer = setTimeout(() => release(sub, ackId, noDelay), sink.ackDeadlineSeconds() * 1000);
    timer.unref();
    sub.leases.set(ackId, { entry, sink, timer });
    sink.outstanding += 1;
    const deliveryAttempt = maxAttempts(sub) === undefined ? 0 : entry.attempts;
    return { ackId, message: wire(entry.message), deliveryAttempt };
  }

  function settle(sub: SubscriptionState, ackId: string): Lease | undefined {
    const held = sub.leases.get(ackId);
    if (!held) return undefined; // unknown, acked or expired: the service ignores it too
    clearTimeout(held.timer);
    sub.leases.delete(ackId);
    held.sink.outstanding -= 1;
    return held;
  }

  /** Nack or expiry: dead-letter when out of attempts, else redeliver after the backoff. */
  function release(
    sub: SubscriptionState,
    ackId: string,
    fallbackDelayMs: (attempts: number) => number,
  ): void {
    const held = settle(sub, ackId);
    if (!held) return;
    const max = maxAttempts(sub);
    if (max !== undefined && held.entry.attempts >= max) {
      deadLetter(sub, held.entry);
    } else {
      const policy = sub.resource.retryPolicy;
      const delay = policy
        ? Math.min(
            durationMs(policy.maximumBackoff) || 600_000,
            (durationMs(policy.minimumBackoff) || 10_000) * 2 ** (held.entry.attempts - 1),
          )
        : fallbackDelayMs(held.entry.attempts);
      requeue(sub, held.entry, delay);
    }
    dispatch(sub);
  }

  function requeue(sub: SubscriptionState, entry: Entry, delayMs: number): void {
    if (delayMs <= 0) {
      sub.ready.unshift(entry);
      return;
    }
    const timer = setTimeout(() => {
      sub.timers.delete(timer);
      sub.ready.push(entry);
      dispatch(sub);
    }, delayMs);
    timer.unref();
    sub.timers.add(timer);
  }

  function deadLetter(sub: SubscriptionState, entry: Entry): void {
    const target = sub.resource.deadLetterPolicy?.deadLetterTopic ?? '';
    // Same attributes the official emulator adds (checked against 0.8.20).
    const attributes = {
      ...entry.message.attributes,
      CloudPubSubDeadLetterSourceDeliveryCount: String(entry.attempts),
      CloudPubSubDeadLetterSourceSubscription: shortId(sub.resource.name),
      CloudPubSubDeadLetterSourceSubscriptionProject: projectOf(sub.resource.name),
      CloudPubSubDeadLetterSourceTopicPublishTime: new Date(entry.message.publishMs).toISOString(),
    };
    // A missing dead-letter topic loses the message, as on the service (a DLT needs a subscription).
    if (topics.has(target))
      publish(target, [
        { data: entry.message.data, attributes, orderingKey: entry.message.orderingKey },
      ]);
  }

  function clearSubscription(sub: SubscriptionState): void {
    sub.deleted = true;
    for (const held of sub.leases.values()) clearTimeout(held.timer);
    for (const timer of sub.timers) clearTimeout(timer);
    sub.leases.clear();
    sub.timers.clear();
    sub.ready = [];
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
    attach(sub: SubscriptionState, sink: Sink): void {
      sub.sinks.add(sink);
      dispatch(sub);
    },
    detach(sub: SubscriptionState, sink: Sink): void {
      sub.sinks.delete(sink); // its leases stay until acked or expired, as on the service
    },
    acknowledge(sub: SubscriptionState, ackIds: string[]): void {
      for (const ackId of ackIds) settle(sub, ackId);
      dispatch(sub);
    },
    modifyAckDeadline(sub: SubscriptionState, ackIds: string[], seconds: number): void {
      for (const ackId of ackIds) {
        const held = sub.leases.get(ackId);
        if (!held) continue;
        if (seconds <= 0) {
          release(sub, ackId, noDelay);
          continue;
        }
        clearTimeout(held.timer);
        held.timer = setTimeout(() => release(sub, ackId, noDelay), seconds * 1000);
        held.timer.unref();
      }
    },
    /** Push failure: redeliver after `delayFor(attempts)` (a retry policy on the sub wins). */
    nack(sub: SubscriptionState, ackId: string, delayFor: (attempts: number) => number): void {
      release(sub, ackId, delayFor);
    },
    close(): void {
      for (const sub of subscriptions.values()) clearSubscription(sub);
    },
  };
}

export type Broker = ReturnType<typeof createBroker>;
