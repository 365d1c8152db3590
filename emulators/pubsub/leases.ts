/**
 * Delivery side of the emulator's broker: leases with ack deadlines, redelivery on nack or
 * expiry (retry-policy backoff), delivery-attempt counting and dead-lettering. Knows nothing of
 * topics; dead letters go back through the broker's publish.
 */
import { durationMs, projectOf, shortId, timestamp, type WireMessage } from './resources.ts';
import type {
  Entry,
  Lease,
  ReceivedMessage,
  Sink,
  StoredMessage,
  SubscriptionState,
} from './types.ts';

const noDelay = (): number => 0;

/**
 * Leasing for the broker's subscriptions. `nextId` is the broker's counter (message ids and ack
 * ids share it); `publishDeadLetter` re-publishes to the dead-letter topic if it exists.
 */
export function createLeases(
  nextId: () => number,
  publishDeadLetter: (topic: string, message: WireMessage) => void,
) {
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
    const ackId = `${sub.resource.name}:${nextId()}`;
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
    publishDeadLetter(target, {
      data: entry.message.data,
      attributes,
      orderingKey: entry.message.orderingKey,
    });
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
    dispatch,
    clearSubscription,
    attach: (sub: SubscriptionState, sink: Sink): void => {
      sub.sinks.add(sink);
      dispatch(sub);
    },
    detach: (sub: SubscriptionState, sink: Sink): void => {
      sub.sinks.delete(sink); // its leases stay until acked or expired, as on the service
    },
    acknowledge: (sub: SubscriptionState, ackIds: string[]): void => {
      for (const ackId of ackIds) settle(sub, ackId);
      dispatch(sub);
    },
    modifyAckDeadline: (sub: SubscriptionState, ackIds: string[], seconds: number): void => {
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
    nack: (sub: SubscriptionState, ackId: string, delayFor: (attempts: number) => number): void => {
      release(sub, ackId, delayFor);
    },
  };
}
