/**
 * Decodes a Pub/Sub message from any of the shapes a function can receive it in:
 * (a) the raw push body of our own push subscriptions (camelCase or snake_case ids, with
 *     `deliveryAttempt` when the subscription has a dead-letter policy),
 * (b) an Eventarc `google.cloud.pubsub.topic.v1.messagePublished` CloudEvent, binary mode
 *     (`ce-*` headers, body = MessagePublishedData) or structured mode
 *     (`application/cloudevents+json`, body = the whole event).
 * See reference/gcp.md §1. Anything else is an `InvalidMessageError`: log and ack.
 */
import { InvalidMessageError } from '../pipeline/errors.ts';
import { header, isRecord, jsonBody } from './decode-body.ts';

export const PUBSUB_EVENT_TYPE = 'google.cloud.pubsub.topic.v1.messagePublished';

export type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** One Pub/Sub message, whatever envelope it came in. */
export interface PubSubDelivery {
  data: Uint8Array;
  attributes: Record<string, string>;
  messageId: string | undefined;
  publishTime: string | undefined;
  subscription: string | undefined;
  /** Present only for raw push from a subscription with a dead-letter policy. */
  deliveryAttempt: number | undefined;
  envelope: 'push' | 'cloudevent-binary' | 'cloudevent-structured';
}

/** Decodes a request into one Pub/Sub message, or throws `InvalidMessageError`. */
export function decodePubSub(headers: Headers, body: unknown): PubSubDelivery {
  const ceType = header(headers, 'ce-type');
  if (ceType !== undefined) {
    if (ceType !== PUBSUB_EVENT_TYPE) {
      throw new InvalidMessageError(`CloudEvent type "${ceType}" is not ${PUBSUB_EVENT_TYPE}`);
    }
    return fromPublishedData(jsonBody(body), 'cloudevent-binary', undefined);
  }
  const json = jsonBody(body);
  if (!isRecord(json)) throw new InvalidMessageError('request body is not a JSON object');
  if (typeof json.specversion === 'string') {
    if (json.type !== PUBSUB_EVENT_TYPE) {
      throw new InvalidMessageError(
        `CloudEvent type "${String(json.type)}" is not ${PUBSUB_EVENT_TYPE}`,
      );
    }
    return fromPublishedData(json.data, 'cloudevent-structured', undefined);
  }
  const attempt = json.deliveryAttempt ?? json.delivery_attempt;
  return fromPublishedData(json, 'push', attempt);
}

function fromPublishedData(
  body: unknown,
  envelope: PubSubDelivery['envelope'],
  attempt: unknown,
): PubSubDelivery {
  if (!isRecord(body) || !isRecord(body.message)) {
    throw new InvalidMessageError(
      `${envelope} body has no "message" object: not a Pub/Sub message`,
    );
  }
  const m = body.message;
  const data = decodeData(m.data);
  const attributes = decodeAttributes(m.attributes);
  if (data.length === 0 && Object.keys(attributes).length === 0) {
    throw new InvalidMessageError('Pub/Sub message has neither data nor attributes');
  }
  return {
    data,
    attributes,
    messageId: str(m.messageId) ?? str(m.message_id),
    publishTime: str(m.publishTime) ?? str(m.publish_time),
    subscription: str(body.subscription),
    deliveryAttempt: decodeAttempt(attempt),
    envelope,
  };
}

function decodeData(data: unknown): Uint8Array {
  if (data === undefined || data === null || data === '') return new Uint8Array(0);
  if (typeof data !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(data)) {
    throw new InvalidMessageError('message.data is not base64 text');
  }
  return Uint8Array.from(Buffer.from(data, 'base64'));
}

function decodeAttributes(attrs: unknown): Record<string, string> {
  if (attrs === undefined || attrs === null) return {};
  if (!isRecord(attrs)) throw new InvalidMessageError('message.attributes is not an object');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

function decodeAttempt(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? n : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
