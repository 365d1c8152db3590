/**
 * Parses one input line into a prompt, a blank, or an error result that names the line and the
 * field at fault and says what to do (DESIGN promise 5). schemas/input-line.schema.json decides
 * what is valid; this module adds the JSON-level checks and builds the request.
 */
import type { RawLine } from './jsonl-reader.ts';
import { normalizeKeys, buildRequest } from './request.ts';
import { errorResult } from './result-record.ts';
import { describeValue, isValid, validateSchema } from './schema-validator.ts';
import type { JobOptions, JsonObject, Prompt, ResultRecord } from './types.ts';

export type ParsedLine =
  | { kind: 'blank' }
  | { kind: 'prompt'; prompt: Prompt }
  | { kind: 'invalid'; result: ResultRecord };

const FIX = 'Fix the line or remove it.';
/** Fields of a request-shaped line that are ours; any other field is the user's metadata. */
const REQUEST_LINE_FIELDS = new Set(['key', 'id', 'request', 'metadata', 'expected', 'model']);

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The line's own id (`key` first, then `id`) when it is a valid id, else undefined. */
function readId(line: JsonObject): string | undefined {
  for (const name of ['key', 'id']) {
    const value = line[name];
    if (
      (typeof value === 'string' || typeof value === 'number') &&
      isValid('input-line', value, '#/$defs/id')
    ) {
      return String(value);
    }
  }
  return undefined;
}

/**
 * The id a line's result will carry, cheaply, for the planner's duplicate check: the line's
 * valid `key`/`id`, else `line-<n>` (also for blank, unparsable, too long and non-UTF-8 lines).
 */
export function peekId(raw: RawLine): string {
  const fallback = `line-${raw.line}`;
  if (raw.kind !== 'text' || raw.text.trim() === '') return fallback;
  try {
    const value: unknown = JSON.parse(raw.text);
    return (isObject(value) && readId(value)) || fallback;
  } catch {
    return fallback;
  }
}

function invalid(
  raw: RawLine,
  options: JobOptions,
  field: string,
  message: string,
  line?: JsonObject,
): ParsedLine {
  const metadata = isObject(line?.metadata) ? line.metadata : undefined;
  const id = (line && readId(line)) ?? `line-${raw.line}`;
  return {
    kind: 'invalid',
    result: errorResult(
      { id, line: raw.line, model: options.model, ...(metadata && { metadata }) },
      { kind: 'invalid_input', field, message: `line ${raw.line}: ${message}` },
    ),
  };
}

/** Normalises snake_case request fields before validation, so both spellings pass. */
function normalized(line: JsonObject): JsonObject {
  const out: JsonObject = { ...line };
  if (isObject(line.request)) out.request = normalizeKeys(line.request);
  if (isObject(line.config)) out.config = normalizeKeys(line.config);
  if (Array.isArray(line.prompt)) out.prompt = normalizeKeys(line.prompt);
  return out;
}

function modelOf(line: JsonObject, options: JobOptions): string {
  if (typeof line.model === 'string') return line.model;
  const inner = isObject(line.request) ? line.request.model : undefined;
  if (typeof inner === 'string') return inner.replace(/^models\//, '');
  return options.model;
}

function metadataOf(line: JsonObject, isRequest: boolean): JsonObject | undefined {
  const own = isObject(line.metadata) ? line.metadata : {};
  if (!isRequest) return isObject(line.metadata) ? line.metadata : undefined;
  // Vertex batch lines carry the user's own fields beside "request": keep them as metadata.
  const extra = Object.fromEntries(
    Object.entries(line).filter(([k]) => !REQUEST_LINE_FIELDS.has(k)),
  );
  const merged = { ...extra, ...own };
  return Object.keys(merged).length > 0 ? merged : undefined;
}

/**
 * One raw line → blank, prompt, or invalid (an error result with kind `invalid_input`, the field
 * at fault, and a message such as `line 7: field "prompt" must be a non-empty string or a list
 * of parts; got number. Fix the line or remove it.`).
 */
export function parseInputLine(raw: RawLine, options: JobOptions): ParsedLine {
  if (raw.kind === 'too_long') {
    return invalid(
      raw,
      options,
      'line',
      `the line is ${raw.bytes} bytes, more than the limit of ${options.maxLineBytes} bytes (option maxLineBytes). Shorten the line (put large files in fileData) or raise maxLineBytes.`,
    );
  }
  if (raw.kind === 'bad_utf8') {
    return invalid(
      raw,
      options,
      'line',
      `the line is not valid UTF-8 text. Save the file as UTF-8, or fix or remove the line.`,
    );
  }
  if (raw.text.trim() === '') return { kind: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(raw.text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return invalid(
      raw,
      options,
      'line',
      `not valid JSON (${why}); each line must be one JSON object. ${FIX}`,
    );
  }
  if (!isObject(value)) {
    return invalid(
      raw,
      options,
      'line',
      `must be a JSON object such as {"id": "q1", "prompt": "..."}; got ${describeValue(value)}. ${FIX}`,
    );
  }
  const line = normalized(value);
  const problem = validateSchema('input-line', line);
  if (problem) {
    if (problem.field === 'prompt' && !('prompt' in line) && !('request' in line)) {
      return invalid(
        raw,
        options,
        'prompt',
        `has no "prompt" or "request" field; a line must be {"id": ..., "prompt": ...} or {"key": ..., "request": {"contents": [...]}}. ${FIX}`,
        line,
      );
    }
    return invalid(raw, options, problem.field || 'line', `${problem.text}. ${FIX}`, line);
  }
  const isRequest = 'request' in line;
  const metadata = metadataOf(line, isRequest);
  const request = isRequest
    ? buildRequest({ request: line.request as JsonObject }, options)
    : buildRequest(
        {
          prompt: line.prompt,
          ...(typeof line.system === 'string' && { system: line.system }),
          ...(isObject(line.config) && { config: line.config }),
        },
        options,
      );
  const prompt: Prompt = {
    id: readId(line) ?? `line-${raw.line}`,
    line: raw.line,
    model: modelOf(line, options),
    request,
    ...(line.expected !== undefined && { expected: line.expected }),
    ...(metadata && { metadata }),
  };
  return { kind: 'prompt', prompt };
}
