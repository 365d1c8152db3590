/** Shared set-up for the Gemini emulator tests: real SDK clients pointed at the emulator. */
import {
  ApiError,
  GoogleGenAI,
  type GenerateContentResponse,
  type GoogleGenAIOptions,
  type Part,
} from '@google/genai';

type AuthClient = NonNullable<NonNullable<GoogleGenAIOptions['googleAuthOptions']>['authClient']>;

/**
 * The SDK's NodeAuth calls GoogleAuth.getRequestHeaders(), which returns the cached `authClient`'s
 * getRequestHeaders() and iterates it as a Headers object (@google/genai dist/node/index.mjs,
 * NodeAuth.addGoogleAuthHeaders). That one method is all a bearer-token client needs offline; the
 * cast stands in for the full google-auth-library class type, whose nested copy (v10) differs
 * from the hoisted one.
 */
const bearerClient = {
  getRequestHeaders: () => Promise.resolve(new Headers({ Authorization: 'Bearer t' })),
} as unknown as AuthClient;

/** Developer API client (x-goog-api-key). */
export function developerClient(
  baseUrl: string,
  extra: { apiVersion?: string; timeout?: number; apiKey?: string } = {},
) {
  return new GoogleGenAI({
    apiKey: extra.apiKey ?? 'test-key',
    httpOptions: {
      baseUrl,
      ...(extra.apiVersion ? { apiVersion: extra.apiVersion } : {}),
      ...(extra.timeout ? { timeout: extra.timeout } : {}),
    },
  });
}

/** Vertex client with project/location, authenticated by `Authorization: Bearer t`. */
export function vertexClient(baseUrl: string, apiVersion?: string) {
  return new GoogleGenAI({
    vertexai: true,
    project: 'p',
    location: 'us-central1',
    googleAuthOptions: { authClient: bearerClient },
    httpOptions: { baseUrl, ...(apiVersion ? { apiVersion } : {}) },
  });
}

export const CODE = { tools: [{ codeExecution: {} }] };

export const partsOf = (r: GenerateContentResponse): Part[] =>
  r.candidates?.[0]?.content?.parts ?? [];

/** Runs `fn` and returns what it threw (fails the test if it did not throw). */
export async function thrown(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

/** The parsed `{"error":{...}}` body of an ApiError. */
export function errorBody(e: unknown): {
  code: number;
  status: string;
  message: string;
  details?: Record<string, unknown>[];
} {
  if (!(e instanceof ApiError)) throw new Error(`not an ApiError: ${String(e)}`);
  return (JSON.parse(e.message) as { error: { code: number; status: string; message: string } })
    .error;
}

/** Drains a stream into its chunks. */
export async function collect<T>(stream: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const c of stream) out.push(c);
  return out;
}
