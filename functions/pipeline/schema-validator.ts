/**
 * Validates values against the JSON Schemas in `schemas/` (2020-12, ajv) and turns ajv's errors
 * into one plain sentence that names the field and the expected form, so a user can fix the line
 * or the message without reading the schema.
 *
 * Every schema carries `description`s written as the expected form ("an integer from 1 to 1000");
 * the sentence is built from the description nearest to the failing keyword.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import batchMessage from '../../schemas/batch-message.schema.json' with { type: 'json' };
import inputLine from '../../schemas/input-line.schema.json' with { type: 'json' };
import jobDoneEvent from '../../schemas/job-done-event.schema.json' with { type: 'json' };
import jobOptions from '../../schemas/job-options.schema.json' with { type: 'json' };
import jobSpec from '../../schemas/job-spec.schema.json' with { type: 'json' };
import manifest from '../../schemas/manifest.schema.json' with { type: 'json' };
import resultLine from '../../schemas/result-line.schema.json' with { type: 'json' };
import summary from '../../schemas/summary.schema.json' with { type: 'json' };

export const SCHEMAS = {
  'input-line': inputLine,
  'job-options': jobOptions,
  'job-spec': jobSpec,
  'result-line': resultLine,
  summary,
  manifest,
  'batch-message': batchMessage,
  'job-done-event': jobDoneEvent,
} as const;
export type SchemaName = keyof typeof SCHEMAS;

/** The first problem found, as a field path (`request.contents[0].parts`) and a sentence. */
export interface SchemaProblem {
  /** Dotted path with `[i]` indexes; '' for the value itself. */
  field: string;
  /** `field "x" must be ...; got ...` — without a line prefix or a closing instruction. */
  text: string;
}

// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = addFormatsModule.default;
let ajv: Ajv2020 | undefined;

/** One ajv instance holding every schema, so cross-file `$ref`s resolve. Compiled lazily. */
function instance(): Ajv2020 {
  if (ajv) return ajv;
  const created = new Ajv2020({ allErrors: false, verbose: true, allowUnionTypes: true });
  addFormats(created);
  for (const schema of Object.values(SCHEMAS)) created.addSchema(schema);
  ajv = created;
  return created;
}

function validator(name: SchemaName, pointer = ''): ValidateFunction {
  const id = SCHEMAS[name].$id + pointer;
  const fn = instance().getSchema(id);
  if (!fn) throw new Error(`schema ${id} is not registered`);
  return fn;
}

/** Validates `value` against a schema (or a `#/$defs/...` pointer inside it). */
export function validateSchema(
  name: SchemaName,
  value: unknown,
  pointer?: string,
): SchemaProblem | undefined {
  const fn = validator(name, pointer);
  if (fn(value)) return undefined;
  return describeErrors(fn.errors ?? []);
}

/** True when `value` is valid; for tests and callers that need only a yes/no. */
export function isValid(name: SchemaName, value: unknown, pointer?: string): boolean {
  return validator(name, pointer)(value);
}

/** `/request/contents/0/parts` → `request.contents[0].parts`. */
export function pointerToField(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  }
  return out;
}

function join(field: string, key: string): string {
  return field === '' ? key : `${field}.${key}`;
}

/** What a value is, in words, for "got ...". */
export function describeValue(data: unknown, withValue = false): string {
  if (data === null) return 'null';
  if (Array.isArray(data)) return data.length === 0 ? 'an empty list' : 'a list';
  if (typeof data === 'string') {
    if (data.trim() === '') return data === '' ? 'an empty string' : 'a blank string';
    return withValue ? JSON.stringify(data.length > 40 ? `${data.slice(0, 40)}…` : data) : 'string';
  }
  if (typeof data === 'number' || typeof data === 'boolean') {
    return withValue ? String(data) : typeof data;
  }
  if (typeof data === 'object')
    return Object.keys(data).length === 0 ? 'an empty object' : 'an object';
  return typeof data;
}

function descriptionOf(schema: unknown): string | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const d = (schema as { description?: unknown }).description;
  return typeof d === 'string' ? d : undefined;
}

/** Path of the field an error is about (required/unknown fields point one level deeper). */
function fieldOf(e: ErrorObject): string {
  const base = pointerToField(e.instancePath);
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'required') return join(base, String(p.missingProperty));
  if (e.keyword === 'additionalProperties') return join(base, String(p.additionalProperty));
  if (e.keyword === 'unevaluatedProperties') return join(base, String(p.unevaluatedProperty));
  return base;
}

function expectedOf(e: ErrorObject): string | undefined {
  if (e.keyword === 'required') {
    const props = (e.parentSchema as { properties?: Record<string, unknown> } | undefined)
      ?.properties;
    return descriptionOf(
      props?.[String((e.params as { missingProperty?: unknown }).missingProperty)],
    );
  }
  return descriptionOf(e.parentSchema);
}

function depth(e: ErrorObject): number {
  // A missing or unknown field is one level below the object, except the bare `required`s of an
  // `anyOf` branch, which the `anyOf` error itself summarises at the object's level.
  const extra =
    e.keyword === 'additionalProperties' ||
    e.keyword === 'unevaluatedProperties' ||
    (e.keyword === 'required' && expectedOf(e) !== undefined);
  return e.instancePath.split('/').length + (extra ? 1 : 0);
}

/**
 * Picks the most useful error: the deepest one (it is where the value went wrong), then one whose
 * schema says what was expected (an `anyOf` over parts summarises its branches' `required`s).
 */
export function describeErrors(errors: ErrorObject[]): SchemaProblem {
  const ranked = errors
    .filter((e) => e.keyword !== 'if')
    .map((e, i) => ({ e, i, d: depth(e), x: expectedOf(e) !== undefined ? 1 : 0 }))
    .sort((a, b) => b.d - a.d || b.x - a.x || a.i - b.i);
  const best = ranked[0]?.e ?? errors[0];
  if (!best) return { field: '', text: 'is not valid' };
  const field = fieldOf(best);
  const name = field === '' ? 'the value' : `field "${field}"`;
  const expected = expectedOf(best);
  switch (best.keyword) {
    case 'required':
      return { field, text: `${name} is missing: it must be ${expected ?? 'set'}` };
    case 'additionalProperties':
    case 'unevaluatedProperties':
      return { field, text: `${name} is not a known field (${expected ?? 'remove it'})` };
    case 'not':
      return { field, text: `${name} is not allowed: ${expected ?? 'remove it'}` };
    case 'type':
      return {
        field,
        text: `${name} must be ${expected ?? best.message}; got ${describeValue(best.data)}`,
      };
    default:
      return {
        field,
        text: `${name} must be ${expected ?? best.message}; got ${describeValue(best.data, true)}`,
      };
  }
}
