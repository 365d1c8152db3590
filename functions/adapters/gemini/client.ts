/**
 * The ModelClient over the real @google/genai SDK. The SDK's own retries stay OFF (no
 * `retryOptions`): the core owns retries, and two layers would multiply attempts. Automatic
 * continuation is off too, so one call is one request.
 */
import { GoogleGenAI } from '@google/genai';
import type { GenerateContentParameters, GoogleGenAIOptions } from '@google/genai';
import { ModelCallError } from '../../pipeline/errors.ts';
import type { ModelCall, ModelClient } from '../../pipeline/ports.ts';
import type { GenerateRequest, GenerateResponse } from '../../pipeline/types.ts';
import { mapGeminiError } from './map-error.ts';
import { createStreamMerger } from './merge-stream.ts';
import type { GeminiSettings } from './settings.ts';

/** Project and location the emulator is addressed with in Vertex mode (any value works there). */
export const EMULATOR_PROJECT = 'sluice-emulator';
export const EMULATOR_LOCATION = 'us-central1';
const EMULATOR_API_KEY = 'emulator-key';

/** A ModelClient for the given backend. */
export function createGeminiModelClient(settings: GeminiSettings): ModelClient {
  const ai = new GoogleGenAI(sdkOptions(settings));
  const secrets = settings.mode === 'developer' ? [settings.apiKey] : [];
  return {
    async generate(call: ModelCall): Promise<GenerateResponse> {
      try {
        return call.stream ? await generateStream(ai, call) : await generateUnary(ai, call);
      } catch (thrown) {
        throw mapGeminiError(thrown, call.signal, secrets);
      }
    },
  };
}

/** Constructor options; explicit so the SDK's own env lookups never pick the backend. */
export function sdkOptions(settings: GeminiSettings): GoogleGenAIOptions {
  switch (settings.mode) {
    case 'developer':
      return {
        vertexai: false,
        apiKey: settings.apiKey,
        httpOptions: httpOptions(settings.baseUrl, settings.apiVersion),
      };
    case 'vertex':
      return {
        vertexai: true,
        project: settings.project,
        location: settings.location,
        httpOptions: httpOptions(settings.baseUrl, settings.apiVersion),
      };
    case 'emulator':
      return settings.api === 'developer'
        ? { vertexai: false, apiKey: EMULATOR_API_KEY, httpOptions: { baseUrl: settings.baseUrl } }
        : {
            vertexai: true,
            project: EMULATOR_PROJECT,
            location: EMULATOR_LOCATION,
            googleAuthOptions: { authClient: emulatorAuthClient() },
            httpOptions: { baseUrl: settings.baseUrl },
          };
  }
}

function httpOptions(baseUrl?: string, apiVersion?: string): GoogleGenAIOptions['httpOptions'] {
  return {
    ...(baseUrl === undefined ? {} : { baseUrl }),
    ...(apiVersion === undefined ? {} : { apiVersion }),
  };
}

type AuthClient = NonNullable<NonNullable<GoogleGenAIOptions['googleAuthOptions']>['authClient']>;

/**
 * The SDK only calls `googleAuth.getRequestHeaders(url)` (NodeAuth.addGoogleAuthHeaders), and
 * GoogleAuth hands that to the `authClient` given, iterating the returned Headers. A fixed
 * Bearer token is all the emulator needs, so no ADC lookup happens offline.
 */
function emulatorAuthClient(): AuthClient {
  const client = {
    getRequestHeaders: (): Promise<Headers> =>
      Promise.resolve(new Headers({ authorization: 'Bearer sluice-emulator-token' })),
  };
  // Only getRequestHeaders is ever used; the full AuthClient class is not needed for that.
  return client as unknown as AuthClient;
}

/**
 * Core request → SDK parameters. The SDK maps `config` back to the wire body: systemInstruction,
 * tools, toolConfig, safetySettings, cachedContent and labels go top-level, the sampling fields
 * into `generationConfig` (generateContentConfigToMldev / ToVertex).
 */
export function toSdkParams(call: ModelCall): GenerateContentParameters {
  const request: GenerateRequest = call.request;
  const config: Record<string, unknown> = {
    ...(request.generationConfig ?? {}),
    abortSignal: call.signal,
    automaticContinuation: false,
  };
  const topLevel = [
    'systemInstruction',
    'tools',
    'toolConfig',
    'safetySettings',
    'cachedContent',
    'labels',
  ] as const;
  for (const key of topLevel) {
    if (request[key] !== undefined) config[key] = request[key];
  }
  // Our wire types are the REST JSON shapes; the SDK's are the same JSON with enum-typed fields.
  return {
    model: call.model,
    contents: request.contents,
    config,
  } as unknown as GenerateContentParameters;
}

async function generateUnary(ai: GoogleGenAI, call: ModelCall): Promise<GenerateResponse> {
  const response = await ai.models.generateContent(toSdkParams(call));
  return toPlain(response);
}

async function generateStream(ai: GoogleGenAI, call: ModelCall): Promise<GenerateResponse> {
  const merger = createStreamMerger();
  for await (const chunk of await ai.models.generateContentStream(toSdkParams(call))) {
    merger.add(toPlain(chunk));
  }
  if (!merger.finished()) {
    throw new ModelCallError(
      'truncated',
      `stream ended after ${merger.chunks} chunk(s) without a finishReason`,
    );
  }
  return merger.result();
}

/** The SDK's response class → plain JSON (drops getters and the HTTP headers copy). */
function toPlain(response: object): GenerateResponse {
  const plain = JSON.parse(JSON.stringify(response)) as GenerateResponse;
  delete plain['sdkHttpResponse'];
  return plain;
}
