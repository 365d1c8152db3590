/**
 * The in-process queue behind `sluice run` and the tests, with Pub/Sub-like semantics:
 * every `subscribe()` is its own subscription (fan-out per topic), a handler that resolves acks,
 * one that rejects nacks and the message comes back with `deliveryAttempt + 1` after
 * `redeliveryDelayMs`, and after `maxDeliveries` failed deliveries it is dead-lettered.
 * As on Pub/Sub, a message published to a topic nobody subscribes to is not delivered (it is
 * still recorded by `published()`), so subscribe before you publish.
 */
import type { Json } from '../../pipeline/types.ts';
import type { Queue, QueueMessage } from '../../pipeline/ports.ts';
import { encodeQueueData } from '../../pipeline/queue-message.ts';

/** One delivery of one message to one subscription. */
export interface Delivery {
  id: string;
  data: Json;
  attributes: Record<string, string>;
  /** 1 on the first delivery, +1 per nack (like Pub/Sub with a dead-letter policy). */
  deliveryAttempt: number;
  topic: string;
}

export interface MemoryQueueOptions {
  /** Deliveries before a message is dead-lettered instead of redelivered; default 5. */
  maxDeliveries?: number;
  /** Wait before a nacked message is delivered again; default 0. */
  redeliveryDelayMs?: number;
  /** Called once per dead-lettered delivery, with the last handler error. */
  onDeadLetter?: (delivery: Delivery, error: unknown) => void;
}

export type DeliveryHandler = (delivery: Delivery, signal: AbortSignal) => Promise<void>;

export interface MemoryQueue extends Queue {
  /**
   * Subscribes `handler` to `topic`; returns the unsubscribe function (which aborts in-flight
   * handlers' signals and drops that subscription's backlog).
   */
  subscribe(topic: string, handler: DeliveryHandler): () => void;
  /** Resolves when nothing is queued, waiting for redelivery or in flight (cascades included). */
  idle(signal?: AbortSignal): Promise<void>;
  /** Deliveries that exhausted `maxDeliveries`, oldest first. */
  deadLetters(): Delivery[];
  /** Every message ever published (optionally to one topic), as first delivered. */
  published(topic?: string): Delivery[];
}

interface Subscription {
  topic: string;
  handler: DeliveryHandler;
  controller: AbortController;
  timers: Set<ReturnType<typeof setTimeout>>;
  /** Deliveries of this subscription not yet acked, dead-lettered or dropped. */
  outstanding: number;
}

/** Creates an empty in-process queue. */
export function createMemoryQueue(options: MemoryQueueOptions = {}): MemoryQueue {
  const maxDeliveries = options.maxDeliveries ?? 5;
  const redeliveryDelayMs = options.redeliveryDelayMs ?? 0;
  if (!Number.isInteger(maxDeliveries) || maxDeliveries < 1) {
    throw new TypeError(
      `createMemoryQueue: \`maxDeliveries\` must be an integer ≥ 1, got ${maxDeliveries}`,
    );
  }
  if (!(redeliveryDelayMs >= 0)) {
    throw new TypeError(
      `createMemoryQueue: \`redeliveryDelayMs\` must be ≥ 0, got ${redeliveryDelayMs}`,
    );
  }

  const subscriptions = new Set<Subscription>();
  const log: Delivery[] = [];
  const dead: Delivery[] = [];
  let idleWaiters: Array<() => void> = [];
  let outstanding = 0;
  let nextId = 0;

  function settle(sub: Subscription): void {
    sub.outstanding -= 1;
    outstanding -= 1;
    if (outstanding === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  function deliver(sub: Subscription, delivery: Delivery): void {
    if (sub.controller.signal.aborted) return; // unsubscribed: already settled
    const signal = sub.controller.signal;
    // Always asynchronous, as a real queue is: the publisher never runs the handler inline.
    void Promise.resolve()
      .then(() => sub.handler(structuredClone(delivery), signal))
      .then(
        () => {
          if (!signal.aborted) settle(sub);
        },
        (error: unknown) => {
          if (!signal.aborted) nack(sub, delivery, error);
        },
      );
  }

  function nack(sub: Subscription, delivery: Delivery, error: unknown): void {
    if (delivery.deliveryAttempt >= maxDeliveries) {
      dead.push(structuredClone(delivery));
      try {
        options.onDeadLetter?.(structuredClone(delivery), error);
      } finally {
        settle(sub);
      }
      return;
    }
    const next: Delivery = { ...delivery, deliveryAttempt: delivery.deliveryAttempt + 1 };
    if (redeliveryDelayMs === 0) {
      deliver(sub, next);
      return;
    }
    const timer = setTimeout(() => {
      sub.timers.delete(timer);
      deliver(sub, next);
    }, redeliveryDelayMs);
    sub.timers.add(timer);
  }

  return {
    // eslint-disable-next-line @typescript-eslint/require-await -- async so bad input rejects
    async publish(topic: string, message: QueueMessage, signal: AbortSignal): Promise<string> {
      signal.throwIfAborted();
      const encoded = encodeQueueData(topic, message);
      nextId += 1;
      const delivery: Delivery = {
        id: String(nextId),
        // A JSON round trip, as on the wire: the handler never aliases the publisher's object.
        data: JSON.parse(encoded) as Json,
        attributes: { ...message.attributes },
        deliveryAttempt: 1,
        topic,
      };
      log.push(delivery);
      for (const sub of subscriptions) {
        if (sub.topic !== topic) continue;
        sub.outstanding += 1;
        outstanding += 1;
        deliver(sub, delivery);
      }
      return delivery.id;
    },

    subscribe(topic: string, handler: DeliveryHandler): () => void {
      const sub: Subscription = {
        topic,
        handler,
        controller: new AbortController(),
        timers: new Set(),
        outstanding: 0,
      };
      subscriptions.add(sub);
      return () => {
        if (!subscriptions.delete(sub)) return;
        sub.controller.abort(new Error(`unsubscribed from ${topic}`));
        for (const timer of sub.timers) clearTimeout(timer);
        sub.timers.clear();
        while (sub.outstanding > 0) settle(sub);
      };
    },

    idle(signal?: AbortSignal): Promise<void> {
      if (outstanding === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const wake = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = (): void => {
          idleWaiters = idleWaiters.filter((w) => w !== wake);
          reject(abortReason(signal));
        };
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        idleWaiters.push(wake);
      });
    },

    deadLetters: () => dead.map((d) => structuredClone(d)),
    published: (topic?: string) =>
      log.filter((d) => topic === undefined || d.topic === topic).map((d) => structuredClone(d)),
  };
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('aborted', { cause: reason });
}
