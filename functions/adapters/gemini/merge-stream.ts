/**
 * Merges streamed GenerateContent chunks into one response. Consecutive text parts of the same
 * kind (thought or not) are concatenated, because the service splits one answer over many
 * chunks; code, code results and images stay as separate parts, in order. For everything else
 * the last chunk that says something wins (finishReason, usageMetadata, modelVersion, ...).
 */
import type { Candidate, GenerateResponse, Part } from '../../pipeline/types.ts';

export interface StreamMerger {
  add(chunk: GenerateResponse): void;
  /** The merged response so far. */
  result(): GenerateResponse;
  /** True when the stream said how it ended: a finishReason, or a blocked prompt. */
  finished(): boolean;
  readonly chunks: number;
}

const TEXT_KEYS = new Set(['text', 'thought', 'thoughtSignature']);

export function createStreamMerger(): StreamMerger {
  const top: GenerateResponse = {};
  const candidates = new Map<number, Candidate & { content: { role?: string; parts: Part[] } }>();
  let chunks = 0;
  return {
    get chunks() {
      return chunks;
    },
    add(chunk) {
      chunks += 1;
      for (const [key, value] of Object.entries(chunk)) {
        if (key !== 'candidates' && value !== undefined) top[key] = value;
      }
      (chunk.candidates ?? []).forEach((candidate, position) => {
        const index = candidate.index ?? position;
        let merged = candidates.get(index);
        if (merged === undefined) {
          merged = { content: { parts: [] } };
          candidates.set(index, merged);
        }
        for (const [key, value] of Object.entries(candidate)) {
          if (key !== 'content' && value !== undefined) merged[key] = value;
        }
        if (candidate.content?.role !== undefined) merged.content.role = candidate.content.role;
        for (const part of candidate.content?.parts ?? []) appendPart(merged.content.parts, part);
      });
    },
    result() {
      const out: GenerateResponse = { ...top };
      if (candidates.size > 0) {
        out.candidates = [...candidates.entries()]
          .sort(([a], [b]) => a - b)
          .map(([, candidate]) => candidate);
      }
      return out;
    },
    finished() {
      if (top.promptFeedback?.blockReason !== undefined) return true;
      return [...candidates.values()].some((c) => c.finishReason !== undefined);
    },
  };
}

function isTextPart(part: Part): boolean {
  return typeof part.text === 'string' && Object.keys(part).every((key) => TEXT_KEYS.has(key));
}

function appendPart(parts: Part[], part: Part): void {
  const previous = parts[parts.length - 1];
  if (
    previous !== undefined &&
    isTextPart(previous) &&
    isTextPart(part) &&
    Boolean(previous.thought) === Boolean(part.thought)
  ) {
    previous.text = `${previous.text ?? ''}${part.text ?? ''}`;
    if (part.thoughtSignature !== undefined) previous.thoughtSignature = part.thoughtSignature;
    return;
  }
  parts.push({ ...part });
}
