/**
 * Small helpers over the BlobStore port shared by the planner, the batch runner and the finisher:
 * JSON reads and create-once writes (ifGenerationMatch 0, where losing the race is success).
 */
import { PreconditionFailedError } from './errors.ts';
import type { BlobStore } from './ports.ts';
import type { Json } from './types.ts';

const decoder = new TextDecoder();

/** Parses a small JSON object; undefined when absent. A corrupt file is an error (never guessed). */
export async function readJson<T>(
  store: BlobStore,
  name: string,
  signal: AbortSignal,
): Promise<T | undefined> {
  const bytes = await store.readSmall(name, signal);
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(decoder.decode(bytes)) as T;
  } catch (error) {
    throw new Error(`${name}: not valid JSON`, { cause: error });
  }
}

/** Reads a small text object; undefined when absent. */
export async function readText(
  store: BlobStore,
  name: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  const bytes = await store.readSmall(name, signal);
  return bytes === undefined ? undefined : decoder.decode(bytes);
}

/**
 * Creates `name` only if absent. Returns true when this call created it, false when it already
 * existed (someone else won: for derived, deterministic content that is success).
 */
export async function writeOnce(
  store: BlobStore,
  name: string,
  data: string | Uint8Array,
  contentType: string,
  signal: AbortSignal,
): Promise<boolean> {
  try {
    await store.write(name, data, { ifGenerationMatch: 0, contentType, signal });
    return true;
  } catch (error) {
    if (error instanceof PreconditionFailedError) return false;
    throw error;
  }
}

/** Splits JSONL text into parsed records (blank lines ignored). */
export function parseJsonl<T>(text: string, name: string): T[] {
  const out: T[] = [];
  let n = 0;
  for (const line of text.split('\n')) {
    n += 1;
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch (error) {
      throw new Error(`${name} line ${n}: not valid JSON`, { cause: error });
    }
  }
  return out;
}

/** Records as JSONL text, one per line, newline-terminated (empty string for none). */
export function toJsonl(records: readonly unknown[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}

/** A plain JSON copy of a typed record (for Queue messages, whose data is `Json`). */
export function toJson(value: object): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}
