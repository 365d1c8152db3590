/**
 * Deadlines over the Clock port (so tests drive them with fake timers): every wait in the core
 * has one (DESIGN promise 3).
 */
import type { Clock } from './ports.ts';

/**
 * Calls `fn` once after `ms` unless `signal` aborts first. Runs in the background and never
 * rejects; abort `signal` to cancel it when the work it guards is over.
 */
export function after(clock: Clock, ms: number, signal: AbortSignal, fn: () => void): void {
  clock.sleep(Math.max(0, ms), signal).then(
    () => {
      if (!signal.aborted) fn();
    },
    () => undefined, // cancelled
  );
}

/** Sleeps `ms`; resolves false instead of rejecting when `signal` aborts. */
export async function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await clock.sleep(Math.max(0, ms), signal);
    return true;
  } catch {
    return false;
  }
}

/** Error used as the abort reason when a batch's own deadline (plus grace) stops in-flight work. */
export class BatchDeadlineError extends Error {
  override name = 'BatchDeadlineError';
}
