/**
 * The HTTP body as the functions framework hands it over: parsed JSON for JSON content types,
 * a string for text, a Buffer for anything else. Normalised here to one JSON value so every
 * decoder sees the same thing.
 */
import { InvalidMessageError } from '../pipeline/errors.ts';

/** Parses the body into a JSON value; anything unparsable is an `InvalidMessageError` (ack). */
export function jsonBody(body: unknown): unknown {
  if (body instanceof Uint8Array) return parseText(new TextDecoder().decode(body), 'request body');
  if (typeof body === 'string') return parseText(body, 'request body');
  return body;
}

/** Parses JSON text, naming what was being parsed when it fails. */
export function parseText(text: string, what: string): unknown {
  if (text.trim() === '') throw new InvalidMessageError(`${what} is empty: expected JSON`);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new InvalidMessageError(
      `${what} is not JSON (${reason}); first bytes: ${text.slice(0, 60)}`,
    );
  }
}

/** True for a plain JSON object (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A header's single value (express lower-cases names). */
export function header(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  name: string,
): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
