/**
 * Pub/Sub resource names, validation and gRPC status errors, shared by the RPC handlers.
 * Name rules follow the service (and the official emulator, which rejects `t1` as too short).
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';

/** Wire shape of google.pubsub.v1.PubsubMessage as decoded by proto-loader. */
export interface WireMessage {
  data?: Buffer | Uint8Array | string;
  attributes?: Record<string, string>;
  messageId?: string;
  publishTime?: { seconds: string | number; nanos: number };
  orderingKey?: string;
}

/** A gRPC error the server sends as a status (code + details). */
export function grpcError(code: status, details: string): ServiceError {
  const error = new Error(`${code} ${status[code]}: ${details}`) as ServiceError;
  error.code = code;
  error.details = details;
  error.metadata = new Metadata();
  return error;
}

const ID = /^[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/;

/** Checks `projects/P/<kind>/ID`; throws INVALID_ARGUMENT naming the field when malformed. */
export function checkName(
  name: string | undefined,
  kind: 'topics' | 'subscriptions',
  field: string,
): string {
  const parts = (name ?? '').split('/');
  const [projects, project, collection, id] = parts;
  if (
    parts.length !== 4 ||
    projects !== 'projects' ||
    !project ||
    collection !== kind ||
    !id ||
    !ID.test(id) ||
    id.startsWith('goog')
  ) {
    throw grpcError(
      status.INVALID_ARGUMENT,
      `Invalid [${kind}] name: (${field}=${name ?? ''}); expected projects/{project}/${kind}/{id} ` +
        'where id starts with a letter and has 3-255 letters, digits or -_.~+%',
    );
  }
  return name as string;
}

/** The short id of a resource name (`projects/p/subscriptions/s` → `s`). */
export function shortId(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/** The project of a resource name. */
export function projectOf(name: string): string {
  return name.split('/')[1] ?? '';
}

/** Converts epoch ms into a protobuf Timestamp. */
export function timestamp(ms: number): { seconds: string; nanos: number } {
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}

/** Duration `{seconds, nanos}` (seconds may be a string for int64) → ms. */
export function durationMs(
  duration: { seconds?: string | number; nanos?: number } | undefined,
): number {
  if (!duration) return 0;
  return Number(duration.seconds ?? 0) * 1000 + Math.round((duration.nanos ?? 0) / 1_000_000);
}

/** The message bytes as a Buffer, whatever form proto-loader decoded them into. */
export function bytesOf(data: WireMessage['data']): Buffer {
  if (data === undefined) return Buffer.alloc(0);
  if (typeof data === 'string') return Buffer.from(data, 'base64');
  return Buffer.from(data);
}
