/**
 * Turns an input line's fields into a GenerateContent request, applying the job's options.
 * Both camelCase and snake_case request fields are accepted (Google's JSON parsers accept both);
 * the core works in camelCase only.
 */
import type { Content, GenerateRequest, JobOptions, Json, JsonObject } from './types.ts';

/** Maps whose KEYS are user data: keep them and everything below them as written. */
const VERBATIM = new Set([
  'labels',
  'metadata',
  'responseJsonSchema',
  'parametersJsonSchema',
  'args', // functionCall.args
  'response', // functionResponse.response
]);
/** OpenAPI-style schemas (Google's Schema proto): their `properties` map keeps its keys. */
const SCHEMA_FIELDS = new Set(['responseSchema', 'parameters', 'items', 'anyOf']);

function camel(key: string): string {
  return /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/.test(key)
    ? key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
    : key;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function walk(value: Json, inSchema: boolean): Json {
  if (Array.isArray(value)) return value.map((v) => walk(v, inSchema));
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [rawKey, child] of Object.entries(value)) {
    const key = camel(rawKey);
    if (VERBATIM.has(key)) out[key] = child;
    else if (inSchema && key === 'properties' && isObject(child)) {
      // Property names are the user's; the schemas under them are normalised.
      out[key] = Object.fromEntries(Object.entries(child).map(([k, v]) => [k, walk(v, true)]));
    } else out[key] = walk(child, inSchema || SCHEMA_FIELDS.has(key));
  }
  return out;
}

/**
 * snake_case → camelCase for request fields (`generation_config` → `generationConfig`,
 * `inline_data.mime_type` → `inlineData.mimeType`), but not inside free-form maps: the property
 * names of `responseSchema`/`parameters`, anything under `responseJsonSchema`, `labels`,
 * `metadata`, function-call `args` and function `response`.
 */
export function normalizeKeys(value: Json): Json {
  return walk(value, false);
}

/** Fields of one line that shape its request. */
export interface RequestFields {
  /** A string, a list of parts, or a list of contents. */
  prompt?: string | Json;
  /** A GenerateContentRequest (any case). */
  request?: JsonObject;
  system?: string;
  config?: JsonObject;
}

function toContents(prompt: string | Json): Content[] {
  if (typeof prompt === 'string') return [{ role: 'user', parts: [{ text: prompt }] }];
  const items = Array.isArray(prompt) ? prompt : [prompt];
  const objects = items.filter(isObject);
  if (objects.length > 0 && objects.every((i) => Array.isArray(i.parts))) {
    return objects.map(
      (c) => ({ ...c, role: typeof c.role === 'string' ? c.role : 'user' }) as Content,
    );
  }
  return [{ role: 'user', parts: objects }];
}

function toSystem(system: Json | undefined): Content | undefined {
  if (typeof system === 'string') return { parts: [{ text: system }] };
  if (isObject(system) && Array.isArray(system.parts)) return system as unknown as Content;
  return undefined;
}

/**
 * Builds the request of one prompt. Precedence: the line's `system` over the request's
 * `systemInstruction` over the job's `system`; generationConfig is merged key by key
 * (job < request < line `config`); the code-execution tool is added when `options.codeExecution`
 * is on and the request sets no `tools` of its own. A `model` inside the request is dropped
 * (it is the prompt's model, chosen by the caller). Fields are expected to be valid already.
 */
export function buildRequest(fields: RequestFields, options: JobOptions): GenerateRequest {
  const base = fields.request ? (normalizeKeys(fields.request) as JsonObject) : {};
  const { model: _model, contents, systemInstruction, generationConfig, tools, ...rest } = base;
  const request: GenerateRequest = {
    ...(rest as Partial<GenerateRequest>),
    contents:
      fields.prompt !== undefined
        ? toContents(normalizeKeys(fields.prompt))
        : toContents(contents ?? []),
  };
  const system = toSystem(fields.system) ?? toSystem(systemInstruction) ?? toSystem(options.system);
  if (system) request.systemInstruction = system;
  const config = {
    ...options.generationConfig,
    ...(isObject(generationConfig) ? generationConfig : {}),
    ...(fields.config ? (normalizeKeys(fields.config) as JsonObject) : {}),
  };
  if (Object.keys(config).length > 0) request.generationConfig = config;
  if (Array.isArray(tools)) request.tools = tools.filter(isObject);
  else if (options.codeExecution) request.tools = [{ codeExecution: {} }];
  return request;
}
