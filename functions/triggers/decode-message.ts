/**
 * The payloads carried inside Pub/Sub messages: JSON data for job messages and batch pointers.
 * Shape errors become `InvalidMessageError` naming the field, so the log says what to fix.
 */
import { InvalidMessageError } from '../pipeline/errors.ts';
import type { BatchMessage, InputRef } from '../pipeline/types.ts';
import { isRecord, parseText } from './decode-body.ts';
import type { PubSubDelivery } from './decode-pubsub.ts';

/** The message data as JSON. Attribute-only messages are rejected: our messages carry data. */
export function messageJson(delivery: PubSubDelivery): unknown {
  if (delivery.data.length === 0) {
    const keys = Object.keys(delivery.attributes).join(', ');
    throw new InvalidMessageError(
      `message has no data (attributes only: ${keys}); expected a JSON body`,
    );
  }
  return parseText(new TextDecoder().decode(delivery.data), 'message data');
}

/** Validates a batch pointer message (the planner's output; see types.ts `BatchMessage`). */
export function parseBatchMessage(json: unknown): BatchMessage {
  if (!isRecord(json)) throw new InvalidMessageError('batch message: expected a JSON object');
  const input = json.input;
  if (!isRecord(input)) throw new InvalidMessageError('batch message: "input" must be an object');
  const ref: InputRef = {
    bucket: text(input.bucket, 'input.bucket'),
    name: text(input.name, 'input.name'),
  };
  const g = input.generation;
  if (g !== undefined)
    ref.generation = text(typeof g === 'number' ? String(g) : g, 'input.generation');
  return {
    jobId: text(json.jobId, 'jobId'),
    prefix: text(json.prefix, 'prefix'),
    batch: count(json.batch, 'batch'),
    input: ref,
    start: count(json.start, 'start'),
    end: count(json.end, 'end'),
    firstLine: count(json.firstLine, 'firstLine'),
  };
}

function text(v: unknown, field: string): string {
  if (typeof v !== 'string' || v === '') {
    throw new InvalidMessageError(`batch message: "${field}" must be a non-empty string`);
  }
  return v;
}

function count(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new InvalidMessageError(`batch message: "${field}" must be an integer ≥ 0`);
  }
  return v;
}
