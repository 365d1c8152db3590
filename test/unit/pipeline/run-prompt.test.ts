/** runPrompt under fake timers: success, which kinds retry, and backoff with jitter and retryAfterMs. */
import { describe, expect, it, vi } from 'vitest';
import { runPrompt } from '../../../functions/pipeline/run-prompt.ts';
import type { ErrorKind } from '../../../functions/pipeline/types.ts';
import {
  deps,
  err,
  never,
  ok,
  options,
  prompt,
  scriptedModel,
  useFakeTimersPerTest,
} from '../../fakes/run-prompt.ts';

useFakeTimersPerTest();

describe('runPrompt', () => {
  it('returns the first successful response with attempts=1 and latency from the clock', async () => {
    const model = scriptedModel([ok]);
    const outcome = await runPrompt(deps(model), prompt, options({ stream: true }), never);
    expect(outcome).toEqual({ response: ok, attempts: 1, latencyMs: 0 });
    expect(model.calls[0]).toMatchObject({
      model: 'gemini-test',
      stream: true,
      request: prompt.request,
    });
    expect(model.calls[0]?.signal).not.toBe(never);
  });

  it.each<ErrorKind>(['rate_limited', 'server', 'timeout', 'network', 'truncated'])(
    'retries %s and stops at maxAttempts',
    async (kind) => {
      const model = scriptedModel([err(kind, 503)]);
      const pending = runPrompt(deps(model), prompt, options({ maxAttempts: 4 }), never);
      await vi.runAllTimersAsync();
      const outcome = await pending;
      expect(model.calls).toHaveLength(4);
      expect(outcome.attempts).toBe(4);
      expect(outcome.error).toMatchObject({ kind, status: 503 });
      expect(outcome.response).toBeUndefined();
    },
  );

  it('succeeds on a later attempt after retryable failures', async () => {
    const model = scriptedModel([err('server', 503), err('rate_limited', 429), ok]);
    const pending = runPrompt(deps(model), prompt, options({ maxAttempts: 5 }), never);
    await vi.runAllTimersAsync();
    expect(await pending).toMatchObject({ response: ok, attempts: 3 });
    expect((await pending).error).toBeUndefined();
  });

  it.each<[string, Error]>([
    ['bad_request', err('bad_request', 400)],
    ['auth', err('auth', 403)],
    ['not_found', err('not_found', 404)],
    ['blocked', err('blocked')],
    ['internal', new TypeError('undefined is not a function')],
  ])('never retries %s', async (kind, thrown) => {
    const model = scriptedModel([thrown, ok]);
    const pending = runPrompt(deps(model), prompt, options(), never);
    await vi.runAllTimersAsync();
    const outcome = await pending;
    expect(model.calls).toHaveLength(1);
    expect(outcome.attempts).toBe(1);
    expect(outcome.error?.kind).toBe(kind);
  });

  it('honours retryAfterMs: never retries sooner than the server asked', async () => {
    const model = scriptedModel([err('rate_limited', 429, 5_000), ok]);
    const pending = runPrompt(
      deps(model, () => 0),
      prompt,
      options(),
      never,
    );
    await vi.advanceTimersByTimeAsync(4_999);
    expect(model.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(model.calls).toHaveLength(2);
    expect(await pending).toMatchObject({ response: ok, attempts: 2, latencyMs: 5_000 });
  });

  it('uses the jittered delay when it exceeds retryAfterMs', async () => {
    const model = scriptedModel([err('rate_limited', 429, 100), ok]);
    const pending = runPrompt(
      deps(model, () => 0.5),
      prompt,
      options(),
      never,
    );
    await vi.advanceTimersByTimeAsync(499);
    expect(model.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(model.calls).toHaveLength(2);
    await pending;
  });

  it('full jitter: random≈1 waits just under the exponential cap, random=0 retries at once', async () => {
    const slow = scriptedModel([err('server'), err('server'), ok]);
    const pending = runPrompt(
      deps(slow, () => 0.999),
      prompt,
      options(),
      never,
    );
    await vi.advanceTimersByTimeAsync(998);
    expect(slow.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1); // 0.999 * 1000
    expect(slow.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1_997);
    expect(slow.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1); // 0.999 * 2000
    expect(slow.calls).toHaveLength(3);
    expect(await pending).toMatchObject({ attempts: 3, latencyMs: 999 + 1_998 });

    const fast = scriptedModel([err('server'), ok]);
    const quick = runPrompt(
      deps(fast, () => 0),
      prompt,
      options(),
      never,
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(fast.calls).toHaveLength(2);
    expect(await quick).toMatchObject({ attempts: 2, latencyMs: 0 });
  });
});
