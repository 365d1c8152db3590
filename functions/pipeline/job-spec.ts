/**
 * Job specs: the job message (jobs topic, Cloud Scheduler, `sluice submit`) and the upload
 * sidecar `<name>.job.json`, validated against schemas/job-spec.schema.json. A bad spec is
 * rejected with a message that says what to fix (DESIGN promise 5).
 */
import { InvalidMessageError } from './errors.ts';
import { JOB_OPTION_KEYS } from './job-options.ts';
import { validateSchema } from './schema-validator.ts';
import type { InputRef, JobOptions, Json, JsonObject } from './types.ts';

export interface JobSpec {
  jobId?: string;
  /** `gs://bucket/object` or an object name in the default bucket. */
  input?: string;
  generation?: string;
  /** Small inline input lines, the same shapes as a file line. */
  prompts?: Json[];
  /** Options given under `options` and flat at the top level, merged (not yet defaulted). */
  options: Partial<JobOptions>;
}

const FIX = 'Fix the job spec and send it again.';

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a job spec. A message needs exactly one of `input` / `prompts`; a sidecar
 * (`{ sidecar: true }`) names neither, since the uploaded file is the input. Throws
 * `InvalidMessageError` naming the field and what to do.
 */
export function parseJobSpec(data: unknown, mode: { sidecar?: boolean } = {}): JobSpec {
  const what = mode.sidecar ? 'job sidecar' : 'job spec';
  if (!isObject(data)) {
    throw new InvalidMessageError(
      `${what}: must be a JSON object such as {"input": "gs://bucket/prompts.jsonl", "model": "gemini-3.5-flash"}. ${FIX}`,
    );
  }
  const hasInput = data.input !== undefined;
  const hasPrompts = data.prompts !== undefined;
  if (mode.sidecar && (hasInput || hasPrompts)) {
    throw new InvalidMessageError(
      `${what}: field "${hasInput ? 'input' : 'prompts'}" is not allowed in a sidecar: the uploaded file is the input. Remove it.`,
    );
  }
  if (!mode.sidecar && hasInput === hasPrompts) {
    throw new InvalidMessageError(
      hasInput
        ? `${what}: give either "input" or "prompts", not both. ${FIX}`
        : `${what}: field "input" is missing: give "input" ("gs://bucket/object" or an object name) or "prompts" (a list of input lines). ${FIX}`,
    );
  }
  const problem = validateSchema('job-spec', data);
  if (problem) throw new InvalidMessageError(`${what}: ${problem.text}. ${FIX}`);
  const nested = isObject(data.options) ? data.options : {};
  const options: JsonObject = { ...nested };
  for (const key of JOB_OPTION_KEYS) {
    if (data[key] === undefined) continue;
    if (key in nested) {
      throw new InvalidMessageError(
        `${what}: option "${key}" is set twice, at the top level and under "options"; keep one. ${FIX}`,
      );
    }
    options[key] = data[key];
  }
  return {
    ...(typeof data.jobId === 'string' && { jobId: data.jobId }),
    ...(typeof data.input === 'string' && { input: data.input }),
    ...(typeof data.generation === 'string' && { generation: data.generation }),
    ...(Array.isArray(data.prompts) && { prompts: data.prompts }),
    options: options,
  };
}

const BUCKET = /^(?=.{3,222}$)[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/;

function checkName(name: string, input: string): string {
  const bad = (why: string): never => {
    throw new InvalidMessageError(
      `input "${input}": ${why}. Give "gs://bucket/path/file.jsonl" or "path/file.jsonl".`,
    );
  };
  if (name === '') bad('the object name is empty');
  if (name.startsWith('/'))
    bad('the object name must not start with "/" (absolute paths are not allowed)');
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f\\]/.test(name))
    bad('the object name must not contain "\\" or control characters');
  const segments = name.split('/');
  if (segments.some((s) => s === '..' || s === '.'))
    bad('the object name must not contain "." or ".." segments');
  if (segments.some((s) => s === ''))
    bad('the object name must not contain empty segments ("//") or end in "/"');
  if (new TextEncoder().encode(name).length > 1024)
    bad('the object name is longer than 1024 bytes');
  return name;
}

/**
 * `gs://bucket/object` (optionally `#generation`, as gsutil writes it) or a bare object name in
 * `defaultBucket`. Rejects `..`/`.` segments, absolute paths, empty names and bad bucket names.
 */
export function parseInputUri(input: string, defaultBucket: string): InputRef {
  let rest = input.trim();
  let generation: string | undefined;
  const hash = /#(\d{1,20})$/.exec(rest);
  if (hash?.[1]) {
    generation = hash[1];
    rest = rest.slice(0, hash.index);
  }
  let bucket = defaultBucket;
  if (/^gs:\/\//i.test(rest)) {
    const path = rest.slice(5);
    const slash = path.indexOf('/');
    bucket = slash === -1 ? path : path.slice(0, slash);
    rest = slash === -1 ? '' : path.slice(slash + 1);
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rest)) {
    throw new InvalidMessageError(
      `input "${input}": only gs:// URIs are supported. Give "gs://bucket/path/file.jsonl".`,
    );
  }
  if (bucket === '') {
    throw new InvalidMessageError(
      `input "${input}": no bucket: give "gs://bucket/path/file.jsonl" (no default bucket is configured).`,
    );
  }
  if (!BUCKET.test(bucket)) {
    throw new InvalidMessageError(
      `input "${input}": "${bucket}" is not a valid bucket name (3-63 lower-case letters, digits, "-", "_" or ".").`,
    );
  }
  return { bucket, name: checkName(rest, input), ...(generation && { generation }) };
}
