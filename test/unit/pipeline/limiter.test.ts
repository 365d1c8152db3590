/** The limiter: concurrency bound, counts, clearQueue, and raising the limit at run time. */
import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../../functions/pipeline/limiter.ts';

interface Deferred {
  promise: Promise<number>;
  resolve: (value: number) => void;
}
function deferred(): Deferred {
  let resolve: (value: number) => void = () => undefined;
  const promise = new Promise<number>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('createLimiter', () => {
  it('never runs more than `concurrency` tasks at once and runs them all', async () => {
    const limiter = createLimiter(3);
    const gates = Array.from({ length: 10 }, deferred);
    let inFlight = 0;
    let maxInFlight = 0;
    const results = gates.map((gate, i) =>
      limiter.run(async () => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const value = await gate.promise;
        inFlight -= 1;
        return value * i;
      }),
    );
    await flush();
    expect(limiter.activeCount).toBe(3);
    expect(limiter.pendingCount).toBe(7);
    for (const gate of gates) {
      gate.resolve(2);
      await flush();
    }
    expect(await Promise.all(results)).toEqual(gates.map((_, i) => 2 * i));
    expect(maxInFlight).toBe(3);
    expect(limiter.activeCount).toBe(0);
    expect(limiter.pendingCount).toBe(0);
  });

  it('passes task rejections through and frees the slot', async () => {
    const limiter = createLimiter(1);
    const failing = limiter.run(() => Promise.reject(new Error('boom')));
    const next = limiter.run(() => Promise.resolve('after'));
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('after');
  });

  it('clearQueue drops pending tasks (their promises reject) and keeps running ones', async () => {
    const limiter = createLimiter(1);
    const gate = deferred();
    let started = 0;
    const running = limiter.run(() => {
      started += 1;
      return gate.promise;
    });
    const dropped = [1, 2].map(() =>
      limiter.run(() => {
        started += 1;
        return Promise.resolve(0);
      }),
    );
    await flush();
    expect(limiter.pendingCount).toBe(2);
    limiter.clearQueue();
    expect(limiter.pendingCount).toBe(0);
    for (const d of dropped) await expect(d).rejects.toThrow();
    gate.resolve(7);
    await expect(running).resolves.toBe(7);
    expect(started).toBe(1);
  });

  it('raising concurrency starts queued tasks', async () => {
    const limiter = createLimiter(1);
    const gates = [deferred(), deferred(), deferred()];
    const all = gates.map((g) => limiter.run(() => g.promise));
    await flush();
    expect(limiter.activeCount).toBe(1);
    limiter.concurrency = 3;
    await flush();
    expect(limiter.concurrency).toBe(3);
    expect(limiter.activeCount).toBe(3);
    gates.forEach((g) => g.resolve(1));
    await Promise.all(all);
  });
});
