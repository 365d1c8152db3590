/**
 * Push subscriptions: each message is POSTed as the wrapped push body to `pushEndpoint`.
 * A 2xx acks it; any other status, a connection error or a request longer than the ack deadline
 * nacks it, and it is pushed again after a bounded exponential backoff (or the subscription's
 * retry policy), counting deliveryAttempt and dead-lettering like a pull delivery.
 */
import type { Broker, ReceivedMessage, Sink, SubscriptionState } from './broker.ts';
import { bytesOf } from './resources.ts';

export interface PushOptions {
  /** First retry delay after a failed push; doubles per failure up to 64×. */
  retryDelayMs: number;
}

/** The JSON body the service POSTs (wrapped push, camelCase plus the snake_case duplicates). */
export function pushBody(
  sub: SubscriptionState,
  received: ReceivedMessage,
): Record<string, unknown> {
  const { message } = received;
  const seconds = Number(message.publishTime?.seconds ?? 0);
  const publishTime = new Date(
    seconds * 1000 + Math.floor((message.publishTime?.nanos ?? 0) / 1e6),
  ).toISOString();
  const body: Record<string, unknown> = {
    message: {
      data: bytesOf(message.data).toString('base64'),
      attributes: message.attributes ?? {},
      messageId: message.messageId,
      message_id: message.messageId,
      publishTime,
      publish_time: publishTime,
      ...(message.orderingKey ? { orderingKey: message.orderingKey } : {}),
    },
    subscription: sub.resource.name,
  };
  // Like the service: only subscriptions with a dead-letter policy carry a delivery attempt.
  if (received.deliveryAttempt > 0) body['deliveryAttempt'] = received.deliveryAttempt;
  return body;
}

/** A sink that pushes everything it is given; `stop()` aborts requests in flight. */
export function createPushSink(
  broker: Broker,
  sub: SubscriptionState,
  options: PushOptions,
): Sink & { stop(): void } {
  const stopper = new AbortController();
  const endpoint = sub.resource.pushConfig?.pushEndpoint ?? '';
  const deadlineSeconds = (): number => sub.resource.ackDeadlineSeconds ?? 10;

  async function pushOne(received: ReceivedMessage): Promise<void> {
    let ok: boolean;
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(pushBody(sub, received)),
        signal: AbortSignal.any([stopper.signal, AbortSignal.timeout(deadlineSeconds() * 1000)]),
      });
      await response.arrayBuffer();
      ok = response.status >= 200 && response.status < 300;
    } catch {
      ok = false; // connection refused, reset or timed out: a failed push
    }
    if (stopper.signal.aborted || sub.deleted) return;
    if (ok) broker.acknowledge(sub, [received.ackId]);
    else
      broker.nack(
        sub,
        received.ackId,
        (attempts) => options.retryDelayMs * 2 ** Math.min(attempts - 1, 6),
      );
  }

  const sink = {
    outstanding: 0,
    free: () => (stopper.signal.aborted ? 0 : Infinity),
    // A push lease outlives its request (which times out at the ack deadline) by a margin.
    ackDeadlineSeconds: () => deadlineSeconds() + 5,
    deliver(messages: ReceivedMessage[]): void {
      for (const received of messages) void pushOne(received);
    },
    gone: () => stopper.abort(),
    stop: () => stopper.abort(),
  };
  return sink;
}
