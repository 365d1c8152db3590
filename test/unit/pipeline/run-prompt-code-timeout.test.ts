/** runPrompt under fake timers: code-execution timeouts, attempt logging, and never throwing. */
import { describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../../functions/adapters/system/clock.ts';
import type { LogFields, Logger } from '../../../functions/pipeline/ports.ts';
import { runPrompt } from '../../../functions/pipeline/run-prompt.ts';
import {
  codeTimeoutResponse,
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
