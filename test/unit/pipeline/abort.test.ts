import { describe, expect, it } from 'vitest';
import { raceAbort } from '../../../functions/pipeline/abort.ts';

describe('raceAbort', () => {
  it('settles like the promise when the signal stays quiet', async () => {
    await expect(raceAbort(Promise.resolve(7), new AbortController().signal)).resolves.toBe(7);
    await expect(
      raceAbort(Promise.reject(new Error('no')), new AbortController().signal),
    ).rejects.toThrow('no');
  });

  it('rejects with the reason at once when the signal aborts, and ignores the late failure', async () => {
    const controller = new AbortController();
    let fail: (e: Error) => void = () => undefined;
    const never = new Promise<number>((_, reject) => (fail = reject));
    const raced = raceAbort(never, controller.signal);
    const reason = new Error('deadline');
    controller.abort(reason);
    await expect(raced).rejects.toBe(reason);
    fail(new Error('late')); // must not surface as an unhandled rejection
  });

  it('rejects an already-aborted signal without waiting', async () => {
    const reason = new Error('gone');
    await expect(raceAbort(new Promise(() => undefined), AbortSignal.abort(reason))).rejects.toBe(
      reason,
    );
  });
});
