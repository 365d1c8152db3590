/**
 * Racing a call that cannot be cancelled (an SDK call, a batched publish) against an AbortSignal,
 * so every wait has a deadline (DESIGN promise 3). One helper for the core and every adapter.
 */
import { toError } from './errors.ts';

/**
 * Resolves or rejects like `promise`, or rejects with the signal's reason as soon as it aborts.
 * The call itself keeps running; its late result or failure is ignored (never unhandled).
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(toError(signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      promise.catch(() => undefined);
      reject(toError(signal.reason));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(toError(error));
      },
    );
  });
}
