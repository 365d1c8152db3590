/** resolveGeminiSettings: every env combination, and errors that say what to set. */
import { describe, expect, it } from 'vitest';
import {
  NO_CREDENTIALS_MESSAGE,
  resolveGeminiSettings,
} from '../../../../functions/adapters/gemini/settings.ts';
import { ConfigError } from '../../../../functions/pipeline/errors.ts';

const vertexEnv = {
  GOOGLE_GENAI_USE_VERTEXAI: 'true',
  GOOGLE_CLOUD_PROJECT: 'proj-1',
  GOOGLE_CLOUD_LOCATION: 'us-central1',
};

describe('resolveGeminiSettings', () => {
  it('uses the Developer API with GEMINI_API_KEY, or GOOGLE_API_KEY', () => {
    expect(resolveGeminiSettings({ GEMINI_API_KEY: 'k1' })).toEqual({
      mode: 'developer',
      apiKey: 'k1',
    });
    expect(resolveGeminiSettings({ GOOGLE_API_KEY: 'k2' })).toEqual({
      mode: 'developer',
      apiKey: 'k2',
    });
    expect(resolveGeminiSettings({ GEMINI_API_KEY: 'k1', GOOGLE_API_KEY: 'k2' })).toMatchObject({
      apiKey: 'k1',
    });
  });

  it('uses Vertex AI with the flag, project and location (even when a key is also set)', () => {
    expect(resolveGeminiSettings(vertexEnv)).toEqual({
      mode: 'vertex',
      project: 'proj-1',
      location: 'us-central1',
    });
    expect(resolveGeminiSettings({ ...vertexEnv, GEMINI_API_KEY: 'k' }).mode).toBe('vertex');
    expect(
      resolveGeminiSettings({
        ...vertexEnv,
        GOOGLE_GENAI_USE_VERTEXAI: 'false',
        GEMINI_API_KEY: 'k',
      }).mode,
    ).toBe('developer');
  });

  it('names the missing Vertex variable', () => {
    expect(() => resolveGeminiSettings({ ...vertexEnv, GOOGLE_CLOUD_PROJECT: '' })).toThrow(
      /GOOGLE_CLOUD_PROJECT=<project>/,
    );
    expect(() =>
      resolveGeminiSettings({ GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'p' }),
    ).toThrow(/needs GOOGLE_CLOUD_LOCATION=/);
    expect(() => resolveGeminiSettings({ GOOGLE_GENAI_USE_VERTEXAI: 'true' })).toThrow(
      /GOOGLE_CLOUD_PROJECT=<project> and GOOGLE_CLOUD_LOCATION=/,
    );
  });

  it('rejects a malformed flag naming the variable', () => {
    expect(() =>
      resolveGeminiSettings({ GOOGLE_GENAI_USE_VERTEXAI: 'maybe', GEMINI_API_KEY: 'k' }),
    ).toThrow(/GOOGLE_GENAI_USE_VERTEXAI="maybe"/);
  });

  it('applies SLUICE_GEMINI_BASE_URL to both backends and treats it alone as an emulator', () => {
    const base = { SLUICE_GEMINI_BASE_URL: 'http://127.0.0.1:9999/' };
    expect(resolveGeminiSettings({ ...base, GEMINI_API_KEY: 'k' })).toEqual({
      mode: 'developer',
      apiKey: 'k',
      baseUrl: 'http://127.0.0.1:9999',
    });
    expect(resolveGeminiSettings({ ...base, ...vertexEnv })).toMatchObject({
      mode: 'vertex',
      baseUrl: 'http://127.0.0.1:9999',
    });
    expect(resolveGeminiSettings(base)).toEqual({
      mode: 'emulator',
      baseUrl: 'http://127.0.0.1:9999',
      api: 'developer',
    });
    expect(() =>
      resolveGeminiSettings({ SLUICE_GEMINI_BASE_URL: 'ftp://x', GEMINI_API_KEY: 'k' }),
    ).toThrow(/SLUICE_GEMINI_BASE_URL/);
  });

  it('an explicit emulator URL wins over credentials; vertex override picks the wire dialect', () => {
    expect(
      resolveGeminiSettings({ GEMINI_API_KEY: 'k' }, { emulatorUrl: 'http://127.0.0.1:1' }),
    ).toEqual({
      mode: 'emulator',
      baseUrl: 'http://127.0.0.1:1',
      api: 'developer',
    });
    expect(
      resolveGeminiSettings({}, { emulatorUrl: 'http://127.0.0.1:1', vertex: true }),
    ).toMatchObject({ api: 'vertex' });
    expect(() => resolveGeminiSettings({}, { emulatorUrl: 'not a url' })).toThrow(ConfigError);
  });

  it('with nothing configured lists exactly the three ways', () => {
    let thrown: unknown;
    try {
      resolveGeminiSettings({ GEMINI_API_KEY: '', GOOGLE_GENAI_USE_VERTEXAI: 'false' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toBe(NO_CREDENTIALS_MESSAGE);
    expect(NO_CREDENTIALS_MESSAGE).toMatch(
      /\(1\) GEMINI_API_KEY=<key>.*\(2\) GOOGLE_GENAI_USE_VERTEXAI=true.*\(3\) --emulator/,
    );
    expect(NO_CREDENTIALS_MESSAGE).not.toMatch(/\(4\)/);
  });
});
