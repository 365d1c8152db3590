/**
 * Runs one prompt: attempts with per-attempt timeouts, honest retries and full-jitter backoff,
 * all bounded by the prompt deadline and the caller's (batch) signal. Never throws: every
 * failure becomes data in the returned PromptOutcome (DESIGN promises 1, 3, 4).
 */
import { raceAbort } from './abort.ts';
import { backoffDelayMs } from './backoff.ts';
import type { AttemptFailure } from './classify.ts';
import { classifyThrown, codeTimeoutFailure } from './classify.ts';
import { toError } from './errors.ts';
import type { Clock, Logger, ModelClient, Random } from './ports.ts';
import { isRetryable } from './retry-policy.ts';
import type { GenerateResponse, JobOptions, Prompt, PromptOutcome } from './types.ts';

export interface RunPromptDeps {
  model: ModelClient;
  clock: Clock;
  random: Random;
  logger?: Logger;
}

type AttemptResult =
  { ok: true; response: GenerateResponse } | { ok: false; failure: AttemptFailure };

/**
 * Runs `prompt` with up to `options.maxAttempts` attempts. Resolves with the response, or the
 * last error (plus the response when the final failure was a code timeout).
 */
export async function runPrompt(
  deps: RunPromptDeps,
  prompt: Prompt,
  options: JobOptions,
  signal: AbortSignal,
): Promise<PromptOutcome> {
  const progress = { attempts: 0, startedAt: undefined as number | undefined };
  try {
    return await runAttempts(deps, prompt, options, signal, progress);
  } catch (thrown) {
    // A bug in the loop itself (or a misbehaving clock): still one result, never a lost line.
    const latencyMs = progress.startedAt === undefined ? 0 : deps.clock.now() - progress.startedAt;
    return {
      error: { kind: 'internal', message: `runPrompt failed: ${toError(thrown).message}` },
      attempts: progress.attempts,
      latencyMs,
    };
  }
}

async function runAttempts(
  deps: RunPromptDeps,
  prompt: Prompt,
  options: JobOptions,
  signal: AbortSignal,
  progress: { attempts: number; startedAt: number | undefined },
): Promise<PromptOutcome> {
  if (signal.aborted) {
    return {
      error: { kind: 'deadline', message: 'batch deadline reached before the prompt started' },
      attempts: 0,
      latencyMs: 0,
    };
  }
  const startedAt = deps.clock.now();
  progress.startedAt = startedAt;
  const deadlineAt = startedAt + options.promptDeadlineMs;
  const maxAttempts = Math.max(1, options.maxAttempts);
  const finish = (outcome: Omit<PromptOutcome, 'attempts' | 'latencyMs'>): PromptOutcome => ({
    ...outcome,
    attempts: progress.attempts,
    latencyMs: deps.clock.now() - startedAt,
  });

  for (;;) {
    progress.attempts += 1;
    const timeoutMs = Math.max(
      0,
      Math.min(options.attemptTimeoutMs, deadlineAt - deps.clock.now()),
    );
    const result = await attempt(deps, prompt, options, signal, timeoutMs);
    if (result.ok) return finish({ response: result.response });

    const { failure } = result;
    const last = (): PromptOutcome =>
      finish(
        failure.response
          ? { response: failure.response, error: failure.error }
          : { error: failure.error },
      );
    const logFields = {
      id: prompt.id,
      line: prompt.line,
      kind: failure.error.kind,
      status: failure.error.status,
      attempt: progress.attempts,
    };
    if (!isRetryable(failure.error.kind, options) || progress.attempts >= maxAttempts) {
      // A batch deadline or an interrupt stops every prompt in flight at once; those outcomes are
      // dropped and rerun by the next delivery, so they are not worth a warning each.
      if (failure.error.kind === 'deadline')
        deps.logger?.debug('prompt stopped by the batch deadline', logFields);
      else deps.logger?.warn('prompt attempt failed; giving up', logFields);
      return last();
    }
    const delayMs = backoffDelayMs(progress.attempts, options, deps.random, failure.retryAfterMs);
    if (signal.aborted || deps.clock.now() + delayMs >= deadlineAt) {
      deps.logger?.warn('prompt attempt failed; no time left to retry', { ...logFields, delayMs });
      return last();
    }
    deps.logger?.debug('prompt attempt failed; retrying', { ...logFields, delayMs });
    try {
      await deps.clock.sleep(delayMs, signal);
    } catch {
      return last(); // the batch deadline arrived while we were waiting
    }
  }
}

/** One call to the model under a fresh AbortController (attempt timer + caller's signal). */
async function attempt(
  deps: RunPromptDeps,
  prompt: Prompt,
  options: JobOptions,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<AttemptResult> {
  const controller = new AbortController();
  const timer = new AbortController();
  const cause = { attemptTimedOut: false, batchAborted: false, attemptTimeoutMs: timeoutMs };
  const onBatchAbort = (): void => {
    cause.batchAborted = true;
    controller.abort(signal.reason);
  };
  signal.addEventListener('abort', onBatchAbort, { once: true });
  if (signal.aborted) onBatchAbort();
  deps.clock.sleep(timeoutMs, timer.signal).then(
    () => {
      cause.attemptTimedOut = true;
      controller.abort(new Error(`attempt timed out after ${timeoutMs} ms`));
    },
    () => undefined, // timer cancelled: the attempt ended first
  );
  try {
    const call = deps.model.generate({
      model: prompt.model,
      request: prompt.request,
      stream: options.stream,
      signal: controller.signal,
    });
    // Race the abort too, so an adapter that ignores its signal cannot hang the prompt.
    const response = await raceAbort(call, controller.signal);
    const codeTimeout = codeTimeoutFailure(response);
    return codeTimeout ? { ok: false, failure: codeTimeout } : { ok: true, response };
  } catch (thrown) {
    return { ok: false, failure: classifyThrown(thrown, cause) };
  } finally {
    timer.abort();
    signal.removeEventListener('abort', onBatchAbort);
  }
}
