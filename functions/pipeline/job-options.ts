/**
 * Job options: defaults, and validation of what a user sent (job message, sidecar, CLI flags)
 * against schemas/job-options.schema.json.
 */
import { InvalidMessageError } from './errors.ts';
import { validateSchema } from './schema-validator.ts';
import type { JobOptions } from './types.ts';

/** Defaults of every option (the config's SLUICE_* variables may override some of them). */
export const DEFAULT_JOB_OPTIONS: JobOptions = Object.freeze({
  model: 'gemini-3.5-flash',
  codeExecution: true,
  stream: false,
  concurrency: 8,
  maxAttempts: 5,
  attemptTimeoutMs: 120_000,
  promptDeadlineMs: 600_000,
  backoffInitialMs: 1_000,
  backoffMaxMs: 60_000,
  retryCodeTimeout: true,
  maxLineBytes: 1_048_576,
  batchLines: 100,
  batchBytes: 4_194_304,
});

/** Names of all options, in schema order (for flat fields of a job spec). */
export const JOB_OPTION_KEYS: readonly (keyof JobOptions)[] = [
  'model',
  'system',
  'generationConfig',
  'codeExecution',
  'stream',
  'concurrency',
  'maxAttempts',
  'attemptTimeoutMs',
  'promptDeadlineMs',
  'backoffInitialMs',
  'backoffMaxMs',
  'retryCodeTimeout',
  'maxLineBytes',
  'batchLines',
  'batchBytes',
];

/**
 * Validates `input` (a partial options object; undefined = none) and applies it over
 * `defaults` over `DEFAULT_JOB_OPTIONS`. Throws `InvalidMessageError` naming the field and the
 * expected form, e.g. `option "concurrency" must be an integer from 1 to 1000; got 0`.
 */
export function resolveJobOptions(input: unknown, defaults: Partial<JobOptions> = {}): JobOptions {
  const given = input ?? {};
  const problem = validateSchema('job-options', given);
  if (problem) {
    const text = problem.text.replace(/^field "/, 'option "').replace(/^the value/, 'options');
    throw new InvalidMessageError(`job options: ${text}. Fix the options and send the job again.`);
  }
  const merged: JobOptions = {
    ...DEFAULT_JOB_OPTIONS,
    ...defined(defaults),
    ...(given as Partial<JobOptions>),
  };
  if (merged.backoffMaxMs < merged.backoffInitialMs) {
    throw new InvalidMessageError(
      `job options: option "backoffMaxMs" (${merged.backoffMaxMs}) must be ≥ "backoffInitialMs" (${merged.backoffInitialMs}). Fix the options and send the job again.`,
    );
  }
  return merged;
}

/** Drops undefined values, so `{ model: undefined }` from a caller does not erase a default. */
function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
