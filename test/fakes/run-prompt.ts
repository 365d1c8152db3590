/**
 * Fixtures for the runPrompt tests: a model that plays a list of steps (responses, errors, or
 * calls that hang), a prompt, job options and the deps runPrompt takes.
 */
import { afterEach, beforeEach, vi } from 'vitest';
import { systemClock } from '../../functions/adapters/system/clock.ts';
import { createSeededRandom } from '../../functions/adapters/system/random.ts';
import { ModelCallError } from '../../functions/pipeline/errors.ts';
import type { Logger, ModelCall, ModelClient, Random } from '../../functions/pipeline/ports.ts';
import type { RunPromptDeps } from '../../functions/pipeline/run-prompt.ts';
import type { GenerateResponse, JobOptions, Prompt } from '../../functions/pipeline/types.ts';

/** One scripted step: a response, a thrown error, or a call that only ends when aborted. */
export type Step = GenerateResponse | ModelCallError | Error | 'hang' | 'hang-ignoring-signal';

export interface StepModel extends ModelClient {
  calls: ModelCall[];
}

/** Plays `steps` in order, one per call; the last step repeats. */
export function scriptedModel(steps: Step[]): StepModel {
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

/** What runPrompt needs: the model, the system clock (fake timers drive it) and a seeded random. */
export function deps(
  model: StepModel,
  random: Random = createSeededRandom(7),
  logger?: Logger,
): RunPromptDeps {
  return { model, clock: systemClock, random, ...(logger ? { logger } : {}) };
}

/** A signal that never aborts. */
export const never = new AbortController().signal;

/** Runs each test of the calling file under fake timers (every runPrompt wait is a timer). */
export function useFakeTimersPerTest(): void {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}
