/**
 * The real clock. `sleep` uses the global setTimeout (never `node:timers/promises`) so
 * `vi.useFakeTimers()` controls it, and it clears its timer on abort so nothing keeps the
 * process alive after a deadline.
 */
import type { Clock } from '../../pipeline/ports.ts';

/** Wall clock (`Date.now`) and an abortable sleep that rejects with `signal.reason`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) {
        // Same contract as node:timers/promises: reject with the signal's own reason.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        reject(abortReason(signal));
        return;
      }
      if (ms <= 0) {
        // A zero backoff needs no timer (Node and fake timers would round it up to 1 ms).
        resolve();
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        reject(abortReason(signal));
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    }),
};

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
