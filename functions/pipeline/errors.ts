/**
 * Error classes of the core. Adapters translate vendor errors into these; triggers map them to
 * ack (permanent) or throw (transient, so Pub/Sub redelivers).
 */
import type { ErrorKind } from './types.ts';

/** Kinds that can succeed on a later attempt (DESIGN promise 4). `code_timeout` is opt-out. */
export const RETRYABLE_KINDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  'rate_limited',
  'server',
  'timeout',
  'network',
  'truncated',
  'code_timeout',
]);

/** A failed call to the model, already classified by the adapter. */
export class ModelCallError extends Error {
  override name = 'ModelCallError';
  readonly kind: ErrorKind;
  readonly status: number | string | undefined;
  /** Server's `RetryInfo.retryDelay` in ms, when it gave one. */
  readonly retryAfterMs: number | undefined;
  constructor(
    kind: ErrorKind,
    message: string,
    options: { status?: number | string; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.kind = kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The object does not exist. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/** An `ifGenerationMatch` precondition failed (HTTP 412): someone else wrote it first. */
export class PreconditionFailedError extends Error {
  override name = 'PreconditionFailedError';
}

/** A job spec or message that can never succeed: log the reason and ack, never redeliver. */
export class InvalidMessageError extends Error {
  override name = 'InvalidMessageError';
}

/** Bad configuration at start-up; the message names the variable and the expected form. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Normalises anything thrown into an Error (non-Errors are wrapped with `cause`). */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : 'non-Error thrown', { cause: thrown });
}
