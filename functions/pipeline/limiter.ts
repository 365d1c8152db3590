/**
 * Concurrency limiter behind a small interface, so an adaptive controller (e.g. one that backs
 * off on 429s) can replace p-limit later without touching callers.
 */
import pLimit from 'p-limit';

export interface Limiter {
  /** Runs `task` when a slot is free; resolves/rejects with the task's result. */
  run<T>(task: () => Promise<T>): Promise<T>;
  readonly activeCount: number;
  readonly pendingCount: number;
  /** Get or change the limit; raising it starts queued tasks at once. */
  concurrency: number;
  /** Drops tasks not yet started; their `run` promises reject with an AbortError. */
  clearQueue(): void;
}

/** A limiter allowing `concurrency` (≥ 1) tasks in flight. */
export function createLimiter(concurrency: number): Limiter {
  // rejectOnClear: cleared tasks must settle, or a caller awaiting them would hang forever.
  const limit = pLimit({ concurrency, rejectOnClear: true });
  return {
    run: <T>(task: () => Promise<T>): Promise<T> => limit(task),
    get activeCount() {
      return limit.activeCount;
    },
    get pendingCount() {
      return limit.pendingCount;
    },
    get concurrency() {
      return limit.concurrency;
    },
    set concurrency(value: number) {
      limit.concurrency = value;
    },
    clearQueue: () => limit.clearQueue(),
  };
}
