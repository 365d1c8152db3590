/** Pure backoff and retry-policy helpers, plus the seeded random they are tested with. */
import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../../functions/adapters/system/random.ts';
import { backoffCapMs, backoffDelayMs } from '../../../functions/pipeline/backoff.ts';

const opts = { backoffInitialMs: 1_000, backoffMaxMs: 10_000 };

describe('backoffDelayMs', () => {
  it('doubles the cap per retry up to backoffMaxMs', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffCapMs(n, opts))).toEqual([
      1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
  });

  it('is full jitter: random 0 → 0, random 0.999 → just under the cap', () => {
    expect(backoffDelayMs(3, opts, () => 0)).toBe(0);
    expect(backoffDelayMs(3, opts, () => 0.999)).toBe(3_996);
    expect(backoffDelayMs(9, opts, () => 0.999)).toBe(9_990);
  });

  it('never waits less than retryAfterMs, and more when the jitter says so', () => {
    expect(backoffDelayMs(1, opts, () => 0, 34_400)).toBe(34_400);
    expect(backoffDelayMs(1, opts, () => 0.5, 100)).toBe(500);
    expect(backoffDelayMs(1, opts, () => 0, 0.4)).toBe(1);
  });

  it('stays within [0, cap) for a seeded random, reproducibly', () => {
    const a = createSeededRandom(42);
    const b = createSeededRandom(42);
    for (let retry = 1; retry <= 200; retry += 1) {
      const delay = backoffDelayMs(retry, opts, a);
      expect(delay).toBe(backoffDelayMs(retry, opts, b));
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(backoffCapMs(retry, opts));
    }
    expect(createSeededRandom(1)()).not.toBe(createSeededRandom(2)());
  });
});
