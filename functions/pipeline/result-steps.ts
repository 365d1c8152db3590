/**
 * Walks a response's parts into result steps. Images are decoded and handed back separately to
 * be saved beside the results: a record never carries base64.
 */
import { safeId } from './safe-id.ts';
import { CODE_OUTCOMES } from './types.ts';
import type { CodeOutcome, Part, Step } from './types.ts';

/** An image from the answer, to be written at `<job prefix><file>`. */
export interface SavedImage {
  /** `images/<safe-id>-<n>.<ext>`, relative to the job prefix; n counts from 1 per prompt. */
  file: string;
  mimeType: string;
  data: Uint8Array;
}

export interface WalkedParts {
  steps: Step[];
  images: SavedImage[];
  /** Non-thought text parts joined: the final answer; undefined when there is none. */
  text: string | undefined;
  /** Parts that could not be read (bad base64), described for the error message. */
  problems: string[];
}

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/svg+xml': 'svg',
};

/** Decodes standard or URL-safe base64 (whitespace ignored); throws on anything else. */
export function decodeBase64(data: string): Uint8Array {
  const clean = data.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(clean);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) out[i] = binary.charCodeAt(i);
  return out;
}

function outcomeOf(value: unknown): CodeOutcome {
  return (CODE_OUTCOMES as readonly unknown[]).includes(value)
    ? (value as CodeOutcome)
    : 'OUTCOME_UNSPECIFIED';
}

/** Turns `candidates[0].content.parts` into steps, images and the final text. */
export function walkParts(id: string, parts: readonly Part[]): WalkedParts {
  const steps: Step[] = [];
  const images: SavedImage[] = [];
  const problems: string[] = [];
  const texts: string[] = [];
  parts.forEach((part, index) => {
    if (typeof part.text === 'string') {
      if (part.thought === true) steps.push({ type: 'text', text: part.text, thought: true });
      else {
        steps.push({ type: 'text', text: part.text });
        texts.push(part.text);
      }
    } else if (part.executableCode) {
      const { language, code } = part.executableCode;
      steps.push({ type: 'code', language: language || 'PYTHON', code: code ?? '' });
    } else if (part.codeExecutionResult) {
      const { outcome, output } = part.codeExecutionResult;
      steps.push({ type: 'code_result', outcome: outcomeOf(outcome), output: output ?? '' });
    } else if (part.inlineData) {
      const mimeType = part.inlineData.mimeType || 'application/octet-stream';
      try {
        const data = decodeBase64(part.inlineData.data ?? '');
        const ext = EXTENSIONS[mimeType] ?? 'bin';
        const file = `images/${safeId(id)}-${images.length + 1}.${ext}`;
        images.push({ file, mimeType, data });
        steps.push({ type: 'image', mimeType, file, bytes: data.length });
      } catch {
        problems.push(`part ${index} (${mimeType}) has data that is not valid base64`);
      }
    }
    // Other parts (functionCall, thoughtSignature-only) carry no answer and are not recorded.
  });
  return { steps, images, problems, text: texts.length > 0 ? texts.join('') : undefined };
}
