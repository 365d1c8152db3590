/** Builds GenerateContentResponse bodies and writes them as JSON or SSE (with stream faults). */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { internal } from './errors.ts';
import type { ModelRequest, Part } from './types.ts';

export type FinishReason = 'STOP' | 'MAX_TOKENS';

/** Deterministic token estimate: ceil(chars / 4). */
export const tokens = (text: string): number => Math.ceil(text.length / 4);

const detail = (n: number) => [{ modality: 'TEXT', tokenCount: n }];

function partText(p: Part): string {
  if ('text' in p) return p.text;
  if ('executableCode' in p) return p.executableCode.code;
  return '';
}

export function usageMetadata(
  req: ModelRequest,
  parts: Part[],
  toolText: string,
): Record<string, unknown> {
  const prompt = Math.max(1, tokens(req.allText));
  const candidates = tokens(parts.map(partText).join(''));
  const tool = tokens(toolText);
  const usage: Record<string, unknown> = {
    promptTokenCount: prompt,
    candidatesTokenCount: candidates,
    ...(tool ? { toolUsePromptTokenCount: tool } : {}),
    totalTokenCount: prompt + candidates + tool,
    promptTokensDetails: detail(prompt),
    candidatesTokensDetails: detail(candidates),
    ...(tool ? { toolUsePromptTokensDetails: detail(tool) } : {}),
  };
  return usage;
}

/** base64url id derived from the request and its per-prompt number: stable across runs. */
export function responseId(path: string, raw: string, attempt: number): string {
  return createHash('sha256')
    .update(`${path}\u0000${raw}\u0000${attempt}`)
    .digest('base64url')
    .slice(0, 24);
}

export interface Envelope {
  modelVersion: string;
  responseId: string;
  createTime?: string;
}

export function envelope(req: ModelRequest, id: string): Envelope {
  return {
    modelVersion: req.model,
    responseId: id,
    ...(req.api === 'vertex' ? { createTime: new Date().toISOString() } : {}),
  };
}

/** One response object; `finishReason` and `usage` only on the final one. */
export function responseBody(
  env: Envelope,
  parts: Part[],
  finish?: { reason: FinishReason; usage: Record<string, unknown> },
): Record<string, unknown> {
  const candidate: Record<string, unknown> = { content: { role: 'model', parts } };
  if (finish) candidate.finishReason = finish.reason;
  candidate.index = 0;
  return { candidates: [candidate], ...(finish ? { usageMetadata: finish.usage } : {}), ...env };
}

/** A prompt blocked by safety: promptFeedback, no candidates. */
export function blockedBody(env: Envelope, req: ModelRequest): Record<string, unknown> {
  const prompt = Math.max(1, tokens(req.allText));
  return {
    promptFeedback: {
      blockReason: 'SAFETY',
      safetyRatings: [
        { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true },
      ],
    },
    usageMetadata: {
      promptTokenCount: prompt,
      totalTokenCount: prompt,
      promptTokensDetails: detail(prompt),
    },
    ...env,
  };
}

/** Unary answer; `truncate` ends the body halfway through the JSON. */
export function sendJson(res: ServerResponse, body: unknown, truncate: boolean): void {
  const text = JSON.stringify(body, null, 2) + '\n';
  if (truncate) {
    res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(text.slice(0, Math.floor(text.length / 2)));
    return;
  }
  res.writeHead(200, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * SSE answer: one `data: <json>\r\n\r\n` event per body. `truncate` sends the first event whole,
 * then half of the next, then ends the body; `midstream` sends an error event after the first.
 */
export function sendSse(
  res: ServerResponse,
  bodies: unknown[],
  mode: 'truncate' | 'midstream' | undefined,
): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const events = bodies.map((b) => `data: ${JSON.stringify(b)}\r\n\r\n`);
  if (mode === 'midstream') {
    res.write(events[0]);
    res.end(`data: ${JSON.stringify({ error: internal() })}\r\n\r\n`);
    return;
  }
  if (mode === 'truncate') {
    const [first = '', second] = events;
    const cut = second ?? first;
    if (second !== undefined) res.write(first);
    res.end(cut.slice(0, Math.floor(cut.length / 2)));
    return;
  }
  for (const e of events) res.write(e);
  res.end();
}
