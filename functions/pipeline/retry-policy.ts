/**
 * Which failures are worth another attempt (DESIGN promise 4). Pure.
 */
import { RETRYABLE_KINDS } from './errors.ts';
import type { ErrorKind, JobOptions } from './types.ts';

export type RetryOptions = Pick<JobOptions, 'retryCodeTimeout'>;

/**
 * True when a failure of `kind` can succeed later: 429, 5xx, timeouts, network resets and
 * truncated streams. A code run that hit the sandbox limit is retried only when the job opts in,
 * because the same code will often time out again. Never 400/401/403/404, blocked, deadline or
 * internal.
 */
export function isRetryable(kind: ErrorKind, options: RetryOptions): boolean {
  if (!RETRYABLE_KINDS.has(kind)) return false;
  if (kind === 'code_timeout') return options.retryCodeTimeout;
  return true;
}
