/**
 * Result records: one per input line, built from a prompt's outcome (DESIGN "Formats").
 */
import { walkParts } from './result-steps.ts';
import type { SavedImage } from './result-steps.ts';
import { scoreAnswer } from './scoring.ts';
import type {
  GenerateResponse,
  JsonObject,
  Prompt,
  PromptOutcome,
  ResultError,
  ResultRecord,
  Usage,
  UsageMetadata,
} from './types.ts';

export type { SavedImage } from './result-steps.ts';

/** Finish reasons that mean the answer was withheld (a block when no text came back). */
export const BLOCK_FINISH_REASONS: ReadonlySet<string> = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
  'MODEL_ARMOR',
]);

const count = (n: unknown): number =>
  typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;

/** Token counts of a response; missing fields count 0. */
export function usageOf(meta: UsageMetadata | undefined): Usage {
  return {
    promptTokens: count(meta?.promptTokenCount),
    cachedTokens: count(meta?.cachedContentTokenCount),
    candidatesTokens: count(meta?.candidatesTokenCount),
    toolUsePromptTokens: count(meta?.toolUsePromptTokenCount),
    thoughtsTokens: count(meta?.thoughtsTokenCount),
    totalTokens: count(meta?.totalTokenCount),
  };
}

/** Why a response counts as blocked, or undefined. */
function blockedError(
  response: GenerateResponse,
  text: string | undefined,
): ResultError | undefined {
  const feedback = response.promptFeedback;
  if (feedback?.blockReason) {
    const why = feedback.blockReasonMessage ? `: ${feedback.blockReasonMessage}` : '';
    return {
      kind: 'blocked',
      status: feedback.blockReason,
      message: `the prompt was blocked (${feedback.blockReason})${why}`,
    };
  }
  const reason = response.candidates?.[0]?.finishReason;
  if (reason && BLOCK_FINISH_REASONS.has(reason) && (text === undefined || text.trim() === '')) {
    return {
      kind: 'blocked',
      status: reason,
      message: `the answer was blocked (finishReason ${reason})`,
    };
  }
  return undefined;
}

/**
 * The result of one prompt plus the images to save. Status is `error` when the outcome carries
 * an error (steps of a response that came with it are kept, e.g. a final code timeout), when the
 * prompt or answer was blocked, or when an image could not be decoded; `score` is set when the
 * prompt had `expected` and the status is ok.
 */
export function buildResult(
  prompt: Prompt,
  outcome: PromptOutcome,
): { record: ResultRecord; images: SavedImage[] } {
  const { response } = outcome;
  if (!response) {
    const error: ResultError = outcome.error ?? {
      kind: 'internal',
      message: 'the prompt finished with neither a response nor an error',
    };
    return { record: errorResult(prompt, error, outcome), images: [] };
  }
  const candidate = response.candidates?.[0];
  const walked = walkParts(prompt.id, candidate?.content?.parts ?? []);
  const record: ResultRecord = {
    id: prompt.id,
    line: prompt.line,
    status: 'ok',
    model: prompt.model,
    ...(response.modelVersion !== undefined && { modelVersion: response.modelVersion }),
    ...(response.responseId !== undefined && { responseId: response.responseId }),
    ...(walked.text !== undefined && { text: walked.text }),
    steps: walked.steps,
    ...(candidate?.finishReason !== undefined && { finishReason: candidate.finishReason }),
    usage: usageOf(response.usageMetadata),
    attempts: outcome.attempts,
    latencyMs: outcome.latencyMs,
  };
  const error =
    outcome.error ??
    blockedError(response, walked.text) ??
    (walked.problems.length > 0
      ? {
          kind: 'internal' as const,
          message: `the answer could not be read: ${walked.problems.join('; ')}`,
        }
      : undefined);
  if (error) {
    record.status = 'error';
    record.error = error;
  } else if (prompt.expected !== undefined) {
    record.score = scoreAnswer(prompt.expected, walked.text);
  }
  if (prompt.metadata) record.metadata = prompt.metadata;
  return { record, images: walked.images };
}

/** A result for a line that got no answer: invalid input, a duplicate id, a deadline, ... */
export function errorResult(
  at: { id: string; line: number; model?: string; metadata?: JsonObject },
  error: ResultError,
  meta: { attempts?: number; latencyMs?: number } = {},
): ResultRecord {
  return {
    id: at.id,
    line: at.line,
    status: 'error',
    ...(at.model !== undefined && { model: at.model }),
    steps: [],
    attempts: meta.attempts ?? 0,
    latencyMs: meta.latencyMs ?? 0,
    error,
    ...(at.metadata !== undefined && { metadata: at.metadata }),
  };
}
