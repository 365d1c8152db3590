/**
 * A scripted ModelClient: answers each call with `script(call, n)` (default: echo the prompt
 * text), counts calls, and can hold calls on deferred promises so tests interleave deliveries.
 */
import type { ModelCall, ModelClient } from '../../functions/pipeline/ports.ts';
import { ModelCallError } from '../../functions/pipeline/errors.ts';
import type { ErrorKind, GenerateResponse } from '../../functions/pipeline/types.ts';

export type Script = (call: ModelCall, n: number) => GenerateResponse | Promise<GenerateResponse>;

export interface ScriptedModel extends ModelClient {
  calls: ModelCall[];
  /** Text of the first user part of each call, in call order. */
  prompts(): string[];
}

export function promptText(call: ModelCall): string {
  const part = call.request.contents[0]?.parts[0];
  return typeof part?.text === 'string' ? part.text : '';
}

export function textResponse(text: string): GenerateResponse {
  return {
    candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP' }],
    usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 5 },
    modelVersion: 'fake-1',
  };
}

export function createScriptedModel(script?: Script): ScriptedModel {
  const calls: ModelCall[] = [];
  return {
    calls,
    prompts: () => calls.map(promptText),
    async generate(call) {
      calls.push(call);
      call.signal.throwIfAborted();
      const response = script
        ? await script(call, calls.length)
        : textResponse(`echo: ${promptText(call)}`);
      call.signal.throwIfAborted();
      return response;
    },
  };
}

/** A promise with its resolve exposed. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A classified model failure, as an adapter would throw it. */
export function errorResponse(kind: ErrorKind, message: string): ModelCallError {
  return new ModelCallError(kind, message, { status: 400 });
}
