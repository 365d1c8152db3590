import { ApiError } from '@google/genai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGeminiEmulator, type GeminiEmulator } from '../../../emulators/gemini/index.ts';
import { collect, developerClient, errorBody, partsOf, thrown, vertexClient } from './helpers.ts';

let emu: GeminiEmulator;
beforeAll(async () => {
  emu = await startGeminiEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${emu.url}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });

describe('Developer API through the real SDK', () => {
  it('answers unary text on the default v1 path with usage, modelVersion and a stable responseId', async () => {
    const ai = developerClient(emu.url);
    const r = await ai.models.generateContent({
      model: 'gemini-3-flash',
      contents: 'Tell me about rivers',
    });
    expect(r.text).toBe('Emulated answer to "Tell me about rivers" (4 words).');
    expect(r.candidates?.[0]?.finishReason).toBe('STOP');
    expect(r.candidates?.[0]?.content?.role).toBe('model');
    expect(r.modelVersion).toBe('gemini-3-flash');
    const u = r.usageMetadata!;
    expect(u.promptTokenCount).toBe(Math.ceil('Tell me about rivers'.length / 4));
    expect(u.totalTokenCount).toBe(u.promptTokenCount! + u.candidatesTokenCount!);
    expect(u.promptTokensDetails).toEqual([{ modality: 'TEXT', tokenCount: u.promptTokenCount }]);
    expect(r.responseId).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(emu.journal()[0]?.path).toBe('/v1/models/gemini-3-flash:generateContent');
    emu.reset();
    const again = await ai.models.generateContent({
      model: 'gemini-3-flash',
      contents: 'Tell me about rivers',
    });
    expect(again.responseId).toBe(r.responseId);
  });

  it('serves v1beta and streams SSE chunks, the last with finishReason and usage', async () => {
    const ai = developerClient(emu.url, { apiVersion: 'v1beta' });
    const chunks = await collect(
      await ai.models.generateContentStream({
        model: 'g',
        contents: 'hi',
        config: { systemInstruction: 'Be terse' },
      }),
    );
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.text).toContain('Following the system instruction "Be terse"');
    expect(chunks[0]?.usageMetadata?.totalTokenCount).toBeGreaterThan(0);
    expect(emu.journal()[0]?.path).toBe('/v1beta/models/g:streamGenerateContent');
    expect(emu.journal()[0]?.query).toBe('alt=sse');
  });

  it('writes SSE events as data: <json> CRLF CRLF with text/event-stream', async () => {
    const res = await post(
      '/v1beta/models/g:streamGenerateContent?alt=sse',
      JSON.stringify({ contents: [{ parts: [{ text: 'x' }] }] }),
      { 'x-goog-api-key': 'k' },
    );
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(await res.text()).toMatch(/^data: \{.*\}\r\n\r\n$/s);
  });

  it('rejects an invalid key with 400 API_KEY_INVALID and a missing key with 403', async () => {
    const err = errorBody(
      await thrown(() =>
        developerClient(emu.url, { apiKey: 'invalid' }).models.generateContent({
          model: 'g',
          contents: 'x',
        }),
      ),
    );
    expect(err.status).toBe('INVALID_ARGUMENT');
    expect(err.details?.[0]).toMatchObject({
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'API_KEY_INVALID',
    });
    const res = await post('/v1/models/g:generateContent', '{"contents":[]}');
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    const text = await res.text();
    expect(text.startsWith('{\n  "error": {\n    "code": 403,')).toBe(true);
    expect(text).toContain("Method doesn't allow unregistered callers");
  });

  it('accepts ?key= and masks it (and the header key) in the journal', async () => {
    const res = await post(
      '/v1/models/g:generateContent?key=secret-1234',
      '{"contents":[{"parts":[{"text":"a"}]}]}',
    );
    expect(res.status).toBe(200);
    await developerClient(emu.url, { apiKey: 'abcdefgh' }).models.generateContent({
      model: 'g',
      contents: 'b',
    });
    const [first, second] = emu.journal();
    expect(first?.query).toBe('key=*******1234');
    expect(second?.headers['x-goog-api-key']).toBe('****efgh');
    expect(second?.headers['x-goog-api-client']).toMatch(/^google-genai-sdk\/3\.3\.0/);
  });

  it('404s an unknown model with the real wording and an unknown route in the envelope', async () => {
    const e = await thrown(() =>
      developerClient(emu.url).models.generateContent({
        model: 'gemini-nonexistent',
        contents: 'x',
      }),
    );
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).status).toBe(404);
    expect(errorBody(e).message).toMatch(
      /^models\/gemini-nonexistent is not found for API version v1, or is not supported for generateContent/,
    );
    const res = await post('/v2/whatever', '{}', { 'x-goog-api-key': 'k' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { status: string } }).error.status).toBe('NOT_FOUND');
  });

  it('names the field for invalid JSON and missing contents', async () => {
    const bad = await post('/v1/models/g:generateContent', '{nope', { 'x-goog-api-key': 'k' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /Invalid JSON payload/,
    );
    const missing = await post('/v1/models/g:generateContent', '{}', { 'x-goog-api-key': 'k' });
    const body = (await missing.json()) as { error: { status: string; message: string } };
    expect(body.error).toMatchObject({
      status: 'INVALID_ARGUMENT',
      message: '* GenerateContentRequest.contents: contents is not specified\n',
    });
  });
});

describe('Vertex AI through the real SDK', () => {
  it('serves the projects/locations path with a Bearer token, unary and stream, with createTime', async () => {
    const ai = vertexClient(emu.url);
    const r = await ai.models.generateContent({
      model: 'gemini-3-flash',
      contents: 'hello vertex',
    });
    expect(r.text).toContain('hello vertex');
    expect(r.createTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    const chunks = await collect(
      await ai.models.generateContentStream({ model: 'gemini-3-flash', contents: 'again' }),
    );
    expect(chunks.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP');
    const [unary, stream] = emu.journal();
    expect(unary?.path).toBe(
      '/v1beta1/projects/p/locations/us-central1/publishers/google/models/gemini-3-flash:generateContent',
    );
    expect(unary?.headers.authorization).toBe('Bearer *');
    expect(stream?.path).toMatch(/:streamGenerateContent$/);
  });

  it('serves v1 and the short publishers/google path, and 401s without credentials', async () => {
    const r = await vertexClient(emu.url, 'v1').models.generateContent({
      model: 'm',
      contents: 'v1 please',
    });
    expect(partsOf(r)[0]?.text).toContain('v1 please');
    expect(emu.journal()[0]?.path).toMatch(/^\/v1\/projects\/p\//);
    const short = await post(
      '/v1beta1/publishers/google/models/m:generateContent',
      '{"contents":[{"parts":[{"text":"s"}]}]}',
      { authorization: 'Bearer x' },
    );
    expect(short.status).toBe(200);
    const anon = await post(
      '/v1/publishers/google/models/m:generateContent',
      '{"contents":[{"parts":[{"text":"s"}]}]}',
    );
    expect(anon.status).toBe(401);
    expect(((await anon.json()) as { error: { status: string } }).error.status).toBe(
      'UNAUTHENTICATED',
    );
    const e = await thrown(() =>
      vertexClient(emu.url).models.generateContent({ model: 'not-found-model', contents: 'x' }),
    );
    expect(errorBody(e).message).toMatch(
      /^Publisher Model `projects\/p\/locations\/us-central1\/publishers\/google\/models\/not-found-model` was not found/,
    );
  });
});

describe('control endpoints', () => {
  it('reports health, serves the journal, validates faults and resets', async () => {
    expect(await (await fetch(`${emu.url}/_emulator/health`)).json()).toMatchObject({
      status: 'ok',
    });
    await developerClient(emu.url).models.generateContent({ model: 'g', contents: 'j' });
    const journal = (await (await fetch(`${emu.url}/_emulator/journal`)).json()) as unknown[];
    expect(journal).toHaveLength(1);
    const bad = await fetch(`${emu.url}/_emulator/faults`, {
      method: 'POST',
      body: '{"rate503":2}',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /faults\.rate503: must be a number between 0 and 1/,
    );
    const ok = await fetch(`${emu.url}/_emulator/faults`, {
      method: 'POST',
      body: '{"rate503":1}',
    });
    expect(ok.status).toBe(200);
    expect(
      (await thrown(() =>
        developerClient(emu.url).models.generateContent({ model: 'g', contents: 'k' }),
      )) as ApiError,
    ).toMatchObject({ status: 503 });
    emu.setFaults({});
    await fetch(`${emu.url}/_emulator/reset`, { method: 'POST' });
    expect(emu.journal()).toEqual([]);
    expect(() => emu.setFaults({ latencyMs: { min: 5, max: 1 } })).toThrow(/faults\.latencyMs/);
  });
});
