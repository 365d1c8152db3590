/** Which kinds are retried (DESIGN promise 4). */
import { describe, expect, it } from 'vitest';
import { isRetryable } from '../../../functions/pipeline/retry-policy.ts';
import { ERROR_KINDS } from '../../../functions/pipeline/types.ts';

describe('isRetryable', () => {
  it('retries exactly the transient kinds', () => {
    const retried = ERROR_KINDS.filter((k) => isRetryable(k, { retryCodeTimeout: true }));
    expect(retried.sort()).toEqual(
      ['code_timeout', 'network', 'rate_limited', 'server', 'timeout', 'truncated'].sort(),
    );
  });

  it('retries code timeouts only when the job opts in', () => {
    expect(isRetryable('code_timeout', { retryCodeTimeout: false })).toBe(false);
    expect(isRetryable('code_timeout', { retryCodeTimeout: true })).toBe(true);
  });

  it.each([
    'bad_request',
    'auth',
    'not_found',
    'blocked',
    'deadline',
    'internal',
    'invalid_input',
  ] as const)('never retries %s', (kind) => {
    expect(isRetryable(kind, { retryCodeTimeout: true })).toBe(false);
  });
});
