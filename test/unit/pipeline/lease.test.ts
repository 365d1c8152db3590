import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../../functions/adapters/system/clock.ts';
import { tryAcquireLease } from '../../../functions/pipeline/lease.ts';
import { createFakeStore } from '../../fakes/memory-store.ts';

const signal = new AbortController().signal;

describe('batch lease', () => {
  afterEach(() => vi.useRealTimers());

  it('lets one holder in, keeps others out until it expires or is released', async () => {
    vi.useFakeTimers();
    const store = createFakeStore();
    const a = await tryAcquireLease(store, 'l.json', 'A', 1_000, systemClock, signal);
    expect(a.acquired).toBe(true);
    const b = await tryAcquireLease(store, 'l.json', 'B', 1_000, systemClock, signal);
    expect(b).toMatchObject({ acquired: false, holder: 'A' });
    vi.advanceTimersByTime(1_001);
    const c = await tryAcquireLease(store, 'l.json', 'B', 1_000, systemClock, signal);
    expect(c.acquired).toBe(true);
    // A lost it: renewing fails (no overwrite of B's lease) and A knows.
    if (!a.acquired || !c.acquired) throw new Error('unreachable');
    expect(await a.lease.renew(signal)).toBe(false);
    expect(JSON.parse(store.text('l.json') ?? '')).toMatchObject({ holder: 'B' });
    expect(await c.lease.renew(signal)).toBe(true);
    await c.lease.release(signal);
    expect((await tryAcquireLease(store, 'l.json', 'C', 1_000, systemClock, signal)).acquired).toBe(
      true,
    );
  });

  it('two simultaneous takers: exactly one wins', async () => {
    const store = createFakeStore();
    const [x, y] = await Promise.all([
      tryAcquireLease(store, 'l.json', 'X', 60_000, systemClock, signal),
      tryAcquireLease(store, 'l.json', 'Y', 60_000, systemClock, signal),
    ]);
    expect([x.acquired, y.acquired].filter(Boolean)).toHaveLength(1);
  });
});
