/**
 * Decodes "an object was written" from either route an upload can take to onUpload:
 * (a) a Cloud Storage Pub/Sub notification delivered by push (attributes `eventType`,
 *     `bucketId`, `objectId`, `objectGeneration`; data = the object resource JSON),
 * (b) an Eventarc `google.cloud.storage.object.v1.finalized` CloudEvent, binary or structured,
 *     with StorageObjectData whose int64 fields may be strings or numbers (reference/gcp.md §2).
 */
import { InvalidMessageError } from '../pipeline/errors.ts';
import { header, isRecord, jsonBody, parseText } from './decode-body.ts';
import { decodePubSub, type Headers } from './decode-pubsub.ts';

export const STORAGE_FINALIZED = 'google.cloud.storage.object.v1.finalized';

export interface StorageEvent {
  /** `OBJECT_FINALIZE` for a new object or generation; other kinds are ignored by the caller. */
  eventType: string;
  bucket: string;
  name: string;
  generation: string;
  size: number | undefined;
}

/** Decodes a Storage event from a request, or throws `InvalidMessageError`. */
export function decodeStorage(headers: Headers, body: unknown): StorageEvent {
  const ceType = header(headers, 'ce-type');
  if (ceType !== undefined) return fromCloudEvent(ceType, jsonBody(body));
  const json = jsonBody(body);
  if (isRecord(json) && typeof json.specversion === 'string') {
    return fromCloudEvent(String(json.type), json.data);
  }
  return fromNotification(headers, body);
}

function fromCloudEvent(type: string, data: unknown): StorageEvent {
  if (type !== STORAGE_FINALIZED) {
    // Other Storage events (deleted, archived...) are legal but not ours: report the kind.
    if (type.startsWith('google.cloud.storage.object.v1.')) {
      return { eventType: type, bucket: '', name: '', generation: '', size: undefined };
    }
    throw new InvalidMessageError(`CloudEvent type "${type}" is not ${STORAGE_FINALIZED}`);
  }
  if (!isRecord(data)) throw new InvalidMessageError('Storage event has no StorageObjectData');
  return {
    eventType: 'OBJECT_FINALIZE',
    bucket: need(data.bucket, 'bucket'),
    name: need(data.name, 'name'),
    generation: int64(data.generation, 'generation'),
    size: data.size === undefined ? undefined : Number(int64(data.size, 'size')),
  };
}

function fromNotification(headers: Headers, body: unknown): StorageEvent {
  const msg = decodePubSub(headers, body);
  const a = msg.attributes;
  if (a.eventType === undefined) {
    throw new InvalidMessageError(
      'Pub/Sub message is not a Storage notification: no eventType attribute',
    );
  }
  const resource =
    msg.data.length > 0 ? parseText(new TextDecoder().decode(msg.data), 'notification data') : {};
  const r = isRecord(resource) ? resource : {};
  return {
    eventType: a.eventType,
    bucket: need(a.bucketId ?? r.bucket, 'bucketId'),
    name: need(a.objectId ?? r.name, 'objectId'),
    generation: int64(a.objectGeneration ?? r.generation, 'objectGeneration'),
    size: r.size === undefined ? undefined : Number(int64(r.size, 'size')),
  };
}

function need(v: unknown, field: string): string {
  if (typeof v !== 'string' || v === '') {
    throw new InvalidMessageError(`Storage event field "${field}" is missing or not a string`);
  }
  return v;
}

/** int64 arrives as a JSON string on the wire, but some senders use numbers: accept both. */
function int64(v: unknown, field: string): string {
  const s = typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v;
  if (typeof s !== 'string' || !/^\d+$/.test(s)) {
    throw new InvalidMessageError(
      `Storage event field "${field}" is not an int64 (got ${JSON.stringify(v)})`,
    );
  }
  return s;
}
