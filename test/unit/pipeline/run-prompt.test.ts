/** runPrompt under fake timers: retries, backoff, timeouts and deadlines, with a scripted model. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../../functions/adapters/system/clock.ts';
import { createSeededRandom } from '../../../functions/adapters/system/random.ts';
import { runPrompt } from '../../../functions/pipeline/run-prompt.ts';
import type { RunPromptDeps } from '../../../functions/pipeline/run-prompt.ts';
import type { LogFields, Logger, Random } from '../../../functions/pipeline/ports.ts';
import type { ErrorKind } from '../../../functions/pipeline/types.ts';
import { ModelCallError } from '../../../functions/pipeline/errors.ts';
import type { ModelCall, ModelClient } from '../../../functions/pipeline/ports.ts';
import type { GenerateResponse, JobOptions, Prompt } from '../../../functions/pipeline/types.ts';

/** One scripted step: a response, a thrown error, or a call that only ends when aborted. */
export type Step = GenerateResponse | ModelCallError | Error | 'hang' | 'hang-ignoring-signal';

export interface ScriptedModel extends ModelClient {
  calls: ModelCall[];
}

/** Plays `steps` in order, one per call; the last step repeats. */
export function scriptedModel(steps: Step[]): ScriptedModel {
  const calls: ModelCall[] = [];
  return {
    calls,
    generate(call: ModelCall): Promise<GenerateResponse> {
      calls.push(call);
      const step = steps[Math.min(calls.length - 1, steps.length - 1)];
      if (step === 'hang') {
        return new Promise((_resolve, reject) => {
          call.signal.addEventListener('abort', () => reject(call.signal.reason as Error), {
            once: true,
          });
        });
      }
      if (step === 'hang-ignoring-signal') return new Promise(() => undefined);
      if (step instanceof Error) return Promise.reject(step);
      return Promise.resolve(step as GenerateResponse);
    },
  };
}

export const ok: GenerateResponse = {
  candidates: [{ content: { role: 'model', parts: [{ text: 'done' }] }, finishReason: 'STOP' }],
  modelVersion: 'fake-1',
};

export function codeTimeoutResponse(): GenerateResponse {
  return {
    candidates: [
      {
        content: {
          role: 'model',
          parts: [
            { executableCode: { language: 'PYTHON', code: 'while True: pass' } },
            { codeExecutionResult: { outcome: 'OUTCOME_DEADLINE_EXCEEDED', output: '' } },
          ],
        },
        finishReason: 'STOP',
      },
    ],
  };
}

export const prompt: Prompt = {
  id: 'p1',
  line: 1,
  model: 'gemini-test',
  request: { contents: [{ role: 'user', parts: [{ text: 'secret prompt text' }] }] },
};

export function options(overrides: Partial<JobOptions> = {}): JobOptions {
  return {
    model: 'gemini-test',
    codeExecution: true,
    stream: false,
    concurrency: 1,
    maxAttempts: 3,
    attemptTimeoutMs: 10_000,
    promptDeadlineMs: 600_000,
    backoffInitialMs: 1_000,
    backoffMaxMs: 60_000,
    retryCodeTimeout: true,
    maxLineBytes: 1_000_000,
    batchLines: 100,
    batchBytes: 1_000_000,
    ...overrides,
  };
}

export const err = (
  kind: ConstructorParameters<typeof ModelCallError>[0],
  status?: number,
  retryAfterMs?: number,
): ModelCallError => new ModelCallError(kind, `fake ${kind}`, { status, retryAfterMs });

const never = new AbortController().signal;

function deps(
  model: ScriptedModel,
  random: Random = createSeededRandom(7),
  logger?: Logger,
): RunPromptDeps {
  return { model, clock: systemClock, random, ...(logger ? { logger } : {}) };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

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

  it('retries a final code timeout when retryCodeTimeout is set', async () => {
    const model = scriptedModel([codeTimeoutResponse(), ok]);
    const pending = runPrompt(deps(model), prompt, options({ retryCodeTimeout: true }), never);
    await vi.runAllTimersAsync();
    expect(await pending).toMatchObject({ response: ok, attempts: 2 });
  });

  it('returns response and code_timeout error when not retrying code timeouts', async () => {
    const timedOut = codeTimeoutResponse();
    const model = scriptedModel([timedOut, ok]);
    const outcome = await runPrompt(
      deps(model),
      prompt,
      options({ retryCodeTimeout: false }),
      never,
    );
    expect(model.calls).toHaveLength(1);
    expect(outcome).toMatchObject({
      response: timedOut,
      attempts: 1,
      error: { kind: 'code_timeout' },
    });
  });

  it('returns the last code-timeout response after maxAttempts', async () => {
    const model = scriptedModel([codeTimeoutResponse()]);
    const pending = runPrompt(deps(model), prompt, options({ maxAttempts: 2 }), never);
    await vi.runAllTimersAsync();
    const outcome = await pending;
    expect(outcome.attempts).toBe(2);
    expect(outcome.error?.kind).toBe('code_timeout');
    expect(outcome.response?.candidates?.[0]?.content?.parts).toHaveLength(2);
  });

  it('does not treat an earlier, recovered code timeout as a failure', async () => {
    const recovered = codeTimeoutResponse();
    recovered.candidates?.[0]?.content?.parts.push({
      codeExecutionResult: { outcome: 'OUTCOME_OK', output: '42\n' },
    });
    const outcome = await runPrompt(deps(scriptedModel([recovered])), prompt, options(), never);
    expect(outcome).toEqual({ response: recovered, attempts: 1, latencyMs: 0 });
  });

  it('logs failed attempts with kind, status, attempt and delay but never the prompt text', async () => {
    const lines: Array<[string, string, LogFields | undefined]> = [];
    const record =
      (level: string) =>
      (message: string, fields?: LogFields): void => {
        lines.push([level, message, fields]);
      };
    const logger: Logger = {
      debug: record('debug'),
      info: record('info'),
      warn: record('warn'),
      error: record('error'),
    };
    const model = scriptedModel([err('rate_limited', 429, 2_000), err('bad_request', 400)]);
    const pending = runPrompt(
      deps(model, () => 0, logger),
      prompt,
      options(),
      never,
    );
    await vi.runAllTimersAsync();
    await pending;
    expect(lines).toHaveLength(2);
    expect(lines[0]?.[2]).toMatchObject({
      kind: 'rate_limited',
      status: 429,
      attempt: 1,
      delayMs: 2_000,
    });
    expect(lines[1]?.[0]).toBe('warn');
    expect(lines[1]?.[2]).toMatchObject({ kind: 'bad_request', status: 400, attempt: 2 });
    expect(JSON.stringify(lines)).not.toContain('secret prompt text');
  });

  it('never throws, even when the clock does', async () => {
    const model = scriptedModel([ok]);
    const brokenClock = {
      now: () => systemClock.now(),
      sleep: (): Promise<void> => {
        throw new Error('clock broke');
      },
    };
    const outcome = await runPrompt(
      { model, clock: brokenClock, random: () => 0 },
      prompt,
      options(),
      never,
    );
    expect(outcome.error?.kind).toBe('internal');
    expect(outcome.attempts).toBe(1);
  });
});
