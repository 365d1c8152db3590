/**
 * The only place that reads the environment. Every variable is declared once in `VARIABLES`
 * (name, default, expected form); the README's config table and the Terraform are checked
 * against this list by tests. Bad values throw `ConfigError` naming the variable and the form.
 */
import { ConfigError } from './pipeline/errors.ts';

type Parse<T> = (raw: string, name: string) => T;

export interface VariableSpec {
  name: string;
  /** Human description (README table). */
  description: string;
  /** Default when unset; undefined = optional with no default. */
  fallback?: string;
  /** Must be set for the deployed functions (Terraform sets it). */
  requiredInCloud: boolean;
  form: string;
}

export const VARIABLES = [
  {
    name: 'SLUICE_BUCKET',
    description: 'Bucket for inputs, job outputs and ledgers',
    requiredInCloud: true,
    form: 'a bucket name',
  },
  {
    name: 'SLUICE_INPUT_BUCKETS',
    description: 'Comma-separated buckets jobs may read input from (the allow-list)',
    requiredInCloud: false,
    form: 'bucket names separated by commas',
    fallback: '',
  },
  {
    name: 'SLUICE_TOPIC_JOBS',
    description: 'Topic of job messages',
    fallback: 'sluice-jobs',
    requiredInCloud: true,
    form: 'a topic id',
  },
  {
    name: 'SLUICE_TOPIC_BATCHES',
    description: 'Topic of batch pointer messages',
    fallback: 'sluice-batches',
    requiredInCloud: true,
    form: 'a topic id',
  },
  {
    name: 'SLUICE_TOPIC_JOB_EVENTS',
    description: 'Topic of job-done events',
    fallback: 'sluice-job-events',
    requiredInCloud: true,
    form: 'a topic id',
  },
  {
    name: 'SLUICE_MODEL',
    description: 'Default Gemini model',
    fallback: 'gemini-3.5-flash',
    requiredInCloud: false,
    form: 'a model name',
  },
  {
    name: 'SLUICE_CONCURRENCY',
    description: 'Prompts in flight per batch',
    fallback: '8',
    requiredInCloud: false,
    form: 'an integer from 1 to 1000',
  },
  {
    name: 'SLUICE_MAX_ATTEMPTS',
    description: 'Attempts per prompt, the first included',
    fallback: '5',
    requiredInCloud: false,
    form: 'an integer from 1 to 20',
  },
  {
    name: 'SLUICE_ATTEMPT_TIMEOUT_MS',
    description: 'Deadline of one attempt',
    fallback: '120000',
    requiredInCloud: false,
    form: 'milliseconds, an integer ≥ 1000',
  },
  {
    name: 'SLUICE_BATCH_LINES',
    description: 'Lines per batch when planning',
    fallback: '100',
    requiredInCloud: false,
    form: 'an integer from 1 to 100000',
  },
  {
    name: 'SLUICE_BATCH_DEADLINE_MS',
    description:
      'Stop starting prompts this long after a batch delivery starts (below the function timeout)',
    fallback: '420000',
    requiredInCloud: true,
    form: 'milliseconds, an integer ≥ 1000',
  },
  {
    name: 'SLUICE_MAX_DELIVERIES',
    description: 'Deliveries of one batch before its unfinished lines become error results',
    fallback: '5',
    requiredInCloud: false,
    form: 'an integer from 1 to 100',
  },
  {
    name: 'SLUICE_LOG_LEVEL',
    description: 'Lowest log severity written',
    fallback: 'info',
    requiredInCloud: false,
    form: 'debug, info, warn or error',
  },
  {
    name: 'GEMINI_API_KEY',
    description: 'Gemini Developer API key (from Secret Manager when deployed)',
    requiredInCloud: false,
    form: 'an API key',
  },
  {
    name: 'GOOGLE_GENAI_USE_VERTEXAI',
    description: 'Use Vertex AI instead of the Developer API',
    requiredInCloud: false,
    form: 'true or false',
  },
  {
    name: 'GOOGLE_CLOUD_PROJECT',
    description: 'Project for Vertex AI and the Google clients',
    requiredInCloud: true,
    form: 'a project id',
  },
  {
    name: 'GOOGLE_CLOUD_LOCATION',
    description: 'Vertex AI location',
    requiredInCloud: false,
    form: 'a location such as global or us-central1',
  },
  {
    name: 'SLUICE_GEMINI_BASE_URL',
    description: 'Send Gemini calls here instead (the emulator)',
    requiredInCloud: false,
    form: 'an http(s) URL',
  },
] as const satisfies readonly VariableSpec[];

export type VariableName = (typeof VARIABLES)[number]['name'];
export type Env = Readonly<Record<string, string | undefined>>;

export const int =
  (min: number, max: number): Parse<number> =>
  (raw, name) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new ConfigError(
        `${name}="${raw}" is not valid: expected an integer from ${min} to ${max}`,
      );
    }
    return n;
  };

export const bool: Parse<boolean> = (raw, name) => {
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no|)$/i.test(raw)) return false;
  throw new ConfigError(`${name}="${raw}" is not valid: expected true or false`);
};

export const url: Parse<string> = (raw, name) => {
  if (!/^https?:\/\/[^\s]+$/.test(raw)) {
    throw new ConfigError(`${name}="${raw}" is not valid: expected an http(s) URL`);
  }
  return raw.replace(/\/+$/, '');
};

/** Reads one declared variable: its value, else its default, else undefined. */
export function readVar(env: Env, name: VariableName): string | undefined {
  const raw = env[name];
  if (raw !== undefined && raw !== '') return raw;
  const spec: VariableSpec | undefined = VARIABLES.find((v) => v.name === name);
  return spec?.fallback;
}

/** Reads and parses a declared variable, or throws naming it when it is required but unset. */
export function requireVar<T>(env: Env, name: VariableName, parse: Parse<T>): T {
  const raw = readVar(env, name);
  if (raw === undefined || raw === '') {
    const spec: VariableSpec | undefined = VARIABLES.find((v) => v.name === name);
    throw new ConfigError(`${name} is not set: expected ${spec?.form ?? 'a value'}`);
  }
  return parse(raw, name);
}

/** The process environment: the one read of `process.env` in the code base. */
export function processEnv(): Env {
  return process.env;
}
