/**
 * Helpers for the input-line tests: fixture lines read one byte per chunk (the harshest split),
 * and shortcuts that parse one line and insist on the kind of result.
 */
import { readFile } from 'node:fs/promises';
import { parseInputLine, type ParsedLine } from '../../functions/pipeline/input-line.ts';
import { DEFAULT_JOB_OPTIONS } from '../../functions/pipeline/job-options.ts';
import { readLines, type RawLine } from '../../functions/pipeline/jsonl-reader.ts';
import type { Prompt, ResultRecord } from '../../functions/pipeline/types.ts';

/** Bytes of a file in test/fixtures. */
const fixture = (name: string): Promise<Buffer> =>
  readFile(new URL(`../fixtures/${name}`, import.meta.url));

async function* oneByteChunks(data: Uint8Array): AsyncIterable<Uint8Array> {
  for (let i = 0; i < data.length; i += 1) {
    await Promise.resolve(); // a real stream hands chunks over asynchronously
    yield data.subarray(i, i + 1);
  }
}

/** The lines of a fixture as the reader yields them from one-byte chunks. */
export async function rawLines(name: string, maxLineBytes: number): Promise<RawLine[]> {
  const out: RawLine[] = [];
  const data = new Uint8Array(await fixture(name));
  for await (const l of readLines(oneByteChunks(data), { firstLine: 1, maxLineBytes })) out.push(l);
  return out;
}

/** A text line as the reader would yield it. */
export const text = (line: number, t: string): RawLine => ({
  line,
  kind: 'text',
  text: t,
  bytes: t.length + 1,
});
/** Parses one text line (line 1 unless given) with the job options. */
export const parse = (t: string, line = 1, options = DEFAULT_JOB_OPTIONS): ParsedLine =>
  parseInputLine(text(line, t), options);
/** Parses one line that must be a prompt. */
export function promptOf(t: string, options = DEFAULT_JOB_OPTIONS): Prompt {
  const parsed = parse(t, 1, options);
  if (parsed.kind !== 'prompt') throw new Error(`not a prompt: ${JSON.stringify(parsed)}`);
  return parsed.prompt;
}
/** Parses one line that must be invalid; returns its error result. */
export function errorOf(t: string, line = 1): ResultRecord {
  const parsed = parse(t, line);
  if (parsed.kind !== 'invalid') throw new Error(`not invalid: ${JSON.stringify(parsed)}`);
  return parsed.result;
}
