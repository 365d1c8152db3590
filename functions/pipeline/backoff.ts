/**
 * Full-jitter exponential backoff (DESIGN promise 4). Pure: the random source is passed in so
 * tests can pin the jitter.
 */
import type { Random } from './ports.ts';
import type { JobOptions } from './types.ts';

export type BackoffOptions = Pick<JobOptions, 'backoffInitialMs' | 'backoffMaxMs'>;

/**
 * Upper bound of the jitter window before retry number `retryNumber` (1 = the first retry):
 * `min(backoffMaxMs, backoffInitialMs * 2^(retryNumber-1))`.
 */
export function backoffCapMs(retryNumber: number, options: BackoffOptions): number {
  const exponent = Math.max(0, retryNumber - 1);
  return Math.max(0, Math.min(options.backoffMaxMs, options.backoffInitialMs * 2 ** exponent));
}

/**
 * Delay before retry number `retryNumber`: a uniform draw in [0, cap) ("full jitter", which
 * spreads a thundering herd best). When the server said how long to wait (`RetryInfo.retryDelay`
 * as `retryAfterMs`) we never wait less than that, hence the max.
 */
export function backoffDelayMs(
  retryNumber: number,
  options: BackoffOptions,
  random: Random,
  retryAfterMs?: number,
): number {
  const jittered = Math.floor(random() * backoffCapMs(retryNumber, options));
  if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs)) return jittered;
  return Math.max(Math.ceil(retryAfterMs), jittered);
}
