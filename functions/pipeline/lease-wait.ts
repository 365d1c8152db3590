/**
 * Waiting for a batch's lease: a duplicate delivery polls until the holder finishes (the final
 * appears), the lease expires (the holder died: take over), or this delivery's own deadline.
 */
import type { BatchNames } from './batch-names.ts';
import { pause } from './deadline.ts';
import { tryAcquireLease, type Lease } from './lease.ts';
import type { PipelineDeps } from './ports.ts';

/** How often a waiting delivery looks again. */
export const LEASE_POLL_MS = 5_000;

export type LeaseWait = { kind: 'held'; lease: Lease } | { kind: 'done' } | { kind: 'deadline' };

export async function awaitLease(
  deps: PipelineDeps,
  names: BatchNames,
  token: string,
  ttlMs: number,
  deadlineAt: number,
  signal: AbortSignal,
): Promise<LeaseWait> {
  for (let round = 0; ; round++) {
    // After a wait the holder has usually finished (and released): check the final first.
    if (round > 0 && (await deps.store.stat(names.final, signal)) !== undefined)
      return { kind: 'done' };
    const attempt = await tryAcquireLease(
      deps.store,
      names.lease,
      token,
      ttlMs,
      deps.clock,
      signal,
    );
    if (attempt.acquired) return { kind: 'held', lease: attempt.lease };
    if ((await deps.store.stat(names.final, signal)) !== undefined) return { kind: 'done' };
    const now = deps.clock.now();
    if (now >= deadlineAt) return { kind: 'deadline' };
    deps.logger.debug('batch leased by another delivery; waiting', {
      lease: names.lease,
      holder: attempt.holder,
    });
    const wait = Math.min(
      LEASE_POLL_MS,
      Math.max(1, attempt.expiresAt - now + 1),
      deadlineAt - now,
    );
    if (!(await pause(deps.clock, wait, signal))) signal.throwIfAborted();
  }
}
