/** Normalises a GenerateContentRequest body (camelCase or snake_case) into what the model reads. */
import { invalidArgument, type GoogleError } from './errors.ts';
import type { ModelRequest } from './types.ts';
import type { Route } from './routes.ts';

/** Fault markers such as `[[fault:429x2]]`; removed from the text the model answers. */
export const MARKER = /\[\[fault:([a-z0-9]+?)(?:x(\d+))?\]\]/gi;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads a field under its camelCase or snake_case name. */
function field(obj: Record<string, unknown>, camel: string): unknown {
  if (camel in obj) return obj[camel];
  return obj[camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
}

function textsOf(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  if (!isObject(content) || !Array.isArray(content.parts)) return [];
  return content.parts.flatMap((p: unknown) =>
    isObject(p) && typeof p.text === 'string' ? [p.text] : [],
  );
}

/** Parses the raw body text; returns the normalised request or the 400 to send. */
export function parseRequest(raw: string, route: Route): ModelRequest | GoogleError {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return invalidArgument('', `Invalid JSON payload received. ${why}`);
  }
  if (!isObject(body))
    return invalidArgument('', 'Invalid JSON payload received. Expected an object.');
  const contents = body.contents;
  if (contents === undefined) return invalidArgument('contents', 'contents is not specified');
  if (!Array.isArray(contents) || contents.length === 0) {
    return invalidArgument('contents', 'contents must be a non-empty array of Content objects');
  }
  for (const [i, c] of contents.entries()) {
    if (!isObject(c) || !Array.isArray(c.parts)) {
      return invalidArgument(`contents[${i}].parts`, 'each Content needs a parts array');
    }
  }
  const users = contents.filter((c) => isObject(c) && (c.role === undefined || c.role === 'user'));
  const last: unknown = users[users.length - 1];
  const rawPrompt = textsOf(last).join('\n');
  const system = textsOf(field(body, 'systemInstruction')).join('\n');
  const tools = field(body, 'tools');
  const codeExecution =
    Array.isArray(tools) &&
    tools.some((t) => isObject(t) && field(t, 'codeExecution') !== undefined);
  const config = field(body, 'generationConfig');
  const max = isObject(config) ? field(config, 'maxOutputTokens') : undefined;
  const allText = [system, ...contents.flatMap(textsOf)].filter((t) => t !== '').join('\n');
  return {
    ...route,
    prompt: rawPrompt.replace(MARKER, '').trim(),
    system,
    allText,
    codeExecution,
    ...(typeof max === 'number' && max > 0 ? { maxOutputTokens: max } : {}),
  };
}

export const isGoogleError = (v: ModelRequest | GoogleError): v is GoogleError =>
  'status' in v && 'code' in v;
