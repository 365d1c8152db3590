/**
 * Which Gemini backend to talk to, decided from an env object (never `process.env` here: the
 * composition root passes `processEnv()` from config.ts, tests pass plain objects).
 */
import type { Env } from '../../config.ts';
import { bool, readVar, url } from '../../config.ts';
import { ConfigError } from '../../pipeline/errors.ts';

export type GeminiSettings =
  | { mode: 'developer'; apiKey: string; baseUrl?: string; apiVersion?: string }
  | { mode: 'vertex'; project: string; location: string; baseUrl?: string; apiVersion?: string }
  | { mode: 'emulator'; baseUrl: string; api: 'developer' | 'vertex' };

/** The three ways to give Sluice a model, named in every "no credentials" error. */
export const NO_CREDENTIALS_MESSAGE =
  'No Gemini credentials. Provide one of: ' +
  '(1) GEMINI_API_KEY=<key> for the Gemini Developer API; ' +
  '(2) GOOGLE_GENAI_USE_VERTEXAI=true, GOOGLE_CLOUD_PROJECT=<project> and ' +
  'GOOGLE_CLOUD_LOCATION=<location> with Application Default Credentials for Vertex AI; ' +
  '(3) --emulator to use the built-in Gemini emulator offline.';

/**
 * Resolves the backend, in this order: an explicit emulator URL (`--emulator`); Vertex AI when
 * GOOGLE_GENAI_USE_VERTEXAI=true (or `overrides.vertex`); the Developer API when GEMINI_API_KEY
 * (or GOOGLE_API_KEY, the SDK's own name) is set; SLUICE_GEMINI_BASE_URL alone means "an
 * emulator there". SLUICE_GEMINI_BASE_URL also overrides the base URL of the first two.
 * Throws ConfigError naming what is missing.
 */
export function resolveGeminiSettings(
  env: Env,
  overrides: { emulatorUrl?: string; vertex?: boolean } = {},
): GeminiSettings {
  const rawVertex = readVar(env, 'GOOGLE_GENAI_USE_VERTEXAI');
  const vertex =
    overrides.vertex ??
    (rawVertex === undefined ? false : bool(rawVertex, 'GOOGLE_GENAI_USE_VERTEXAI'));
  if (overrides.emulatorUrl !== undefined) {
    return {
      mode: 'emulator',
      baseUrl: url(overrides.emulatorUrl, '--emulator URL'),
      api: vertex ? 'vertex' : 'developer',
    };
  }
  const rawBase = readVar(env, 'SLUICE_GEMINI_BASE_URL');
  const baseUrl = rawBase === undefined ? undefined : url(rawBase, 'SLUICE_GEMINI_BASE_URL');
  const withBase = baseUrl === undefined ? {} : { baseUrl };

  if (vertex) {
    const project = readVar(env, 'GOOGLE_CLOUD_PROJECT');
    const location = readVar(env, 'GOOGLE_CLOUD_LOCATION');
    const missing = [
      ...(project ? [] : ['GOOGLE_CLOUD_PROJECT=<project>']),
      ...(location ? [] : ['GOOGLE_CLOUD_LOCATION=<location, e.g. global or us-central1>']),
    ];
    if (!project || !location) {
      throw new ConfigError(
        `GOOGLE_GENAI_USE_VERTEXAI=true needs ${missing.join(' and ')} to be set as well ` +
          '(Vertex AI also needs Application Default Credentials).',
      );
    }
    return { mode: 'vertex', project, location, ...withBase };
  }
  const apiKey = readVar(env, 'GEMINI_API_KEY') ?? nonEmpty(env['GOOGLE_API_KEY']);
  if (apiKey !== undefined) return { mode: 'developer', apiKey, ...withBase };
  if (baseUrl !== undefined) return { mode: 'emulator', baseUrl, api: 'developer' };
  throw new ConfigError(NO_CREDENTIALS_MESSAGE);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
