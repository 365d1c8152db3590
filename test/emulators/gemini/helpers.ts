/** Shared set-up for the Gemini emulator tests: real SDK clients pointed at the emulator. */
import { ApiError, GoogleGenAI, type GenerateContentResponse, type Part } from '@google/genai';
import { OAuth2Client } from 'google-auth-library';

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

/**
 * Vertex client with project/location. A real OAuth2Client holding an unexpired access token
 * answers getRequestHeaders() with `Authorization: Bearer t` without any network call.
 */
export function vertexClient(baseUrl: string, apiVersion?: string) {
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: 't', expiry_date: Date.now() + 3_600_000 });
  return new GoogleGenAI({
    vertexai: true,
    project: 'p',
    location: 'us-central1',
    googleAuthOptions: { authClient },
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
