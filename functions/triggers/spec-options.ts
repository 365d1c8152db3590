/**
 * Job options of a spec or sidecar (under `options` or flat; parsed by parseJobSpec), resolved
 * over the deployment's defaults (SLUICE_MODEL, SLUICE_CONCURRENCY, ...), which sit over the
 * built-in defaults.
 */
import { resolveJobOptions } from '../pipeline/job-options.ts';
import type { JobSpec } from '../pipeline/job-spec.ts';
import type { JobOptions } from '../pipeline/types.ts';

/** Resolved options; throws `InvalidMessageError` naming the bad option. */
export function specOptions(spec: JobSpec, defaults: Partial<JobOptions>): JobOptions {
  return resolveJobOptions(spec.options, defaults);
}
