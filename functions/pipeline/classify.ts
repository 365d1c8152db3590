/**
 * Turns what one attempt produced (a thrown value, or a 200 response) into the core's error
 * vocabulary. Pure.
 */
import { ModelCallError, toError } from './errors.ts';
import type { GenerateResponse, ResultError } from './types.ts';

/** A classified attempt failure, with the server's wait hint when it gave one. */
export interface AttemptFailure {
  error: ResultError;
  retryAfterMs?: number;
  /** A 200 response that still counts as a failure (code timeout). */
  response?: GenerateResponse;
}

/** Who aborted the attempt, as the core knows it (the adapter only rethrows the reason). */
export interface AbortCause {
  /** Our own per-attempt timer fired. */
  attemptTimedOut: boolean;
  /** The caller's signal (batch deadline) aborted. */
  batchAborted: boolean;
  attemptTimeoutMs: number;
}

/**
 * Classifies a thrown value. Aborts are judged by who aborted, not by what the adapter threw,
 * because an aborted fetch surfaces as whatever reason the signal carried.
 */
export function classifyThrown(thrown: unknown, cause: AbortCause): AttemptFailure {
  const aborted = cause.attemptTimedOut || cause.batchAborted;
  if (thrown instanceof ModelCallError && !aborted) {
    const error: ResultError = { kind: thrown.kind, message: thrown.message };
    if (thrown.status !== undefined) error.status = thrown.status;
    return thrown.retryAfterMs === undefined
      ? { error }
      : { error, retryAfterMs: thrown.retryAfterMs };
  }
  if (cause.batchAborted) {
    return { error: { kind: 'deadline', message: 'batch deadline reached during the attempt' } };
  }
  if (cause.attemptTimedOut) {
    return {
      error: { kind: 'timeout', message: `attempt timed out after ${cause.attemptTimeoutMs} ms` },
    };
  }
  return { error: { kind: 'internal', message: `unexpected error: ${toError(thrown).message}` } };
}

/**
 * A 200 response whose LAST code run hit the sandbox limit (OUTCOME_DEADLINE_EXCEEDED): the
 * model gave up waiting for its own code, so the answer is incomplete. Earlier timed-out runs
 * that the model recovered from do not count.
 */
export function codeTimeoutFailure(response: GenerateResponse): AttemptFailure | undefined {
  const parts = response.candidates?.[0]?.content?.parts ?? [];
  let lastOutcome: string | undefined;
  for (const part of parts) {
    if (part.codeExecutionResult) lastOutcome = part.codeExecutionResult.outcome;
  }
  if (lastOutcome !== 'OUTCOME_DEADLINE_EXCEEDED') return undefined;
  return {
    error: {
      kind: 'code_timeout',
      status: 'OUTCOME_DEADLINE_EXCEEDED',
      message: 'code execution hit the sandbox time limit',
    },
    response,
  };
}
