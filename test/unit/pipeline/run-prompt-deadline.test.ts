/** runPrompt under fake timers: attempt timeouts, the prompt deadline and batch-signal aborts. */
import { describe, expect, it, vi } from 'vitest';
import { runPrompt } from '../../../functions/pipeline/run-prompt.ts';
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
  it('aborts a hanging attempt at attemptTimeoutMs, counts it as timeout and retries', async () => {
    const model = scriptedModel(['hang', ok]);
    const pending = runPrompt(
      deps(model, () => 0),
      prompt,
      options(),
      never,
    );
    await vi.advanceTimersByTimeAsync(9_999);
    expect(model.calls[0]?.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(model.calls[0]?.signal.aborted).toBe(true);
    await vi.runAllTimersAsync();
    expect(await pending).toMatchObject({ response: ok, attempts: 2, latencyMs: 10_000 });
  });

  it('ends an attempt at its timeout even when the client ignores the signal', async () => {
    const model = scriptedModel(['hang-ignoring-signal']);
    const pending = runPrompt(deps(model), prompt, options({ maxAttempts: 1 }), never);
    await vi.advanceTimersByTimeAsync(10_000);
    const outcome = await pending;
    expect(outcome.error?.kind).toBe('timeout');
    expect(outcome).toMatchObject({ attempts: 1, latencyMs: 10_000 });
  });

  it('stops retrying when the next backoff would end past the prompt deadline', async () => {
    const model = scriptedModel([err('server', 500)]);
    const opts = options({ maxAttempts: 10, promptDeadlineMs: 5_000, backoffInitialMs: 4_000 });
    const pending = runPrompt(
      deps(model, () => 0.999),
      prompt,
      opts,
      never,
    );
    await vi.runAllTimersAsync();
    const outcome = await pending;
    // first delay 3996 fits; the second (7992) would pass the 5000 ms deadline
    expect(model.calls).toHaveLength(2);
    expect(outcome).toMatchObject({ attempts: 2, latencyMs: 3_996, error: { kind: 'server' } });
  });

  it('does not wait for a retryAfterMs that ends past the prompt deadline', async () => {
    const model = scriptedModel([err('rate_limited', 429, 60_000), ok]);
    const pending = runPrompt(deps(model), prompt, options({ promptDeadlineMs: 30_000 }), never);
    await vi.runAllTimersAsync();
    expect(await pending).toMatchObject({
      attempts: 1,
      error: { kind: 'rate_limited', status: 429 },
    });
  });

  it('caps an attempt at the time left before the prompt deadline', async () => {
    const model = scriptedModel(['hang']);
    const opts = options({ promptDeadlineMs: 3_000, attemptTimeoutMs: 10_000 });
    const pending = runPrompt(deps(model), prompt, opts, never);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(await pending).toMatchObject({
      attempts: 1,
      latencyMs: 3_000,
      error: { kind: 'timeout' },
    });
  });

  it('batch signal abort during an attempt gives deadline with no further attempts', async () => {
    const batch = new AbortController();
    const model = scriptedModel(['hang', ok]);
    const pending = runPrompt(deps(model), prompt, options(), batch.signal);
    await vi.advanceTimersByTimeAsync(100);
    batch.abort(new Error('batch deadline'));
    await vi.runAllTimersAsync();
    const outcome = await pending;
    expect(model.calls).toHaveLength(1);
    expect(outcome).toMatchObject({ attempts: 1, latencyMs: 100, error: { kind: 'deadline' } });
  });

  it('batch signal abort during backoff stops with the last error', async () => {
    const batch = new AbortController();
    const model = scriptedModel([err('server', 503), ok]);
    const pending = runPrompt(
      deps(model, () => 0.999),
      prompt,
      options(),
      batch.signal,
    );
    await vi.advanceTimersByTimeAsync(500);
    batch.abort();
    await vi.runAllTimersAsync();
    expect(model.calls).toHaveLength(1);
    expect(await pending).toMatchObject({ attempts: 1, error: { kind: 'server', status: 503 } });
  });

  it('an already aborted batch signal makes no attempt', async () => {
    const batch = new AbortController();
    batch.abort();
    const model = scriptedModel([ok]);
    const outcome = await runPrompt(deps(model), prompt, options(), batch.signal);
    expect(model.calls).toHaveLength(0);
    expect(outcome).toMatchObject({ attempts: 0, latencyMs: 0, error: { kind: 'deadline' } });
  });
});
