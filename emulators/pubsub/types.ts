/** Shapes shared by the broker, its leases and the Pull/StreamingPull/push consumers. */
import type { WireMessage } from './resources.ts';

export interface StoredMessage {
  data: Buffer;
  attributes: Record<string, string>;
  messageId: string;
  publishMs: number;
  orderingKey: string;
}

/** A message waiting in, or leased from, one subscription. */
export interface Entry {
  message: StoredMessage;
  /** Deliveries so far: 1 + nacks + expiries once delivered. */
  attempts: number;
}

/** A message handed to a sink, until acked, nacked or expired. */
export interface Lease {
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
