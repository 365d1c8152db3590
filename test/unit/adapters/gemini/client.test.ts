/**
 * createGeminiModelClient drives the REAL @google/genai SDK against a scripted loopback server,
 * so the wire body, URL, headers and every error shape the SDK produces are checked for real.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGeminiModelClient } from '../../../../functions/adapters/gemini/client.ts';
import { ModelCallError } from '../../../../functions/pipeline/errors.ts';
import type { ModelCall } from '../../../../functions/pipeline/ports.ts';
import type { GenerateRequest } from '../../../../functions/pipeline/types.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
interface Seen {
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

let server: Server;
let baseUrl = '';
let handler: Handler = (_req, res) => res.end();
let seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: body ? JSON.parse(body) : undefined,
      });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  seen = [];
});

const SECRET = 'AIzaSECRET-key-123456';
const request: GenerateRequest = {
  contents: [{ role: 'user', parts: [{ text: 'What is 2+2? Use code.' }] }],
  systemInstruction: { parts: [{ text: 'Be brief.' }] },
  tools: [{ codeExecution: {} }],
  generationConfig: { temperature: 0, maxOutputTokens: 256 },
  safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
};
const ok = {
  candidates: [
    { content: { role: 'model', parts: [{ text: '4' }] }, finishReason: 'STOP', index: 0 },
  ],
  usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1, totalTokenCount: 6 },
  modelVersion: 'gemini-test-001',
  responseId: 'r-1',
};

function json(status: number, body: unknown, type = 'application/json'): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': type });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}
function sse(events: string[], end = true): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const event of events) res.write(event);
    if (end) res.end();
  };
}
const data = (value: unknown): string => `data: ${JSON.stringify(value)}\r\n\r\n`;

function developer() {
  return createGeminiModelClient({ mode: 'developer', apiKey: SECRET, baseUrl });
}
function call(stream = false, signal = new AbortController().signal): ModelCall {
  return { model: 'gemini-test', request, stream, signal };
}
async function failure(promise: Promise<unknown>): Promise<ModelCallError> {
  const thrown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(thrown).toBeInstanceOf(ModelCallError);
  return thrown as ModelCallError;
}

describe('Gemini adapter (real SDK, scripted server)', () => {
  it('sends the REST body the API expects and returns a plain response', async () => {
    handler = json(200, ok);
    const response = await developer().generate(call());
    expect(response).toEqual(ok);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe('/v1/models/gemini-test:generateContent');
    expect(seen[0]?.headers['x-goog-api-key']).toBe(SECRET);
    expect(seen[0]?.body).toEqual({
      contents: request.contents,
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      tools: [{ codeExecution: {} }],
      safetySettings: request.safetySettings,
      generationConfig: { temperature: 0, maxOutputTokens: 256 },
    });
  });

  it('speaks the Vertex dialect to an emulator with a fixed bearer token (no ADC)', async () => {
    handler = json(200, ok);
    const client = createGeminiModelClient({ mode: 'emulator', baseUrl, api: 'vertex' });
    await client.generate(call());
    expect(seen[0]?.url).toBe(
      '/v1beta1/projects/sluice-emulator/locations/us-central1/publishers/google/models/gemini-test:generateContent',
    );
    expect(seen[0]?.headers.authorization).toBe('Bearer sluice-emulator-token');
  });

  it('maps 429 with RetryInfo to rate_limited with retryAfterMs', async () => {
    handler = json(429, {
      error: {
        code: 429,
        message: 'Quota exceeded. Please retry in 34.4s.',
        status: 'RESOURCE_EXHAUSTED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '34.4s' }],
      },
    });
    const error = await failure(developer().generate(call()));
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 34_400 });
    expect(error.message).toContain('RESOURCE_EXHAUSTED');
    expect(seen).toHaveLength(1); // the SDK itself must not retry
  });

  it.each([
    [400, 'bad_request'],
    [401, 'auth'],
    [403, 'auth'],
    [404, 'not_found'],
    [408, 'timeout'],
    [409, 'bad_request'],
    [500, 'server'],
    [502, 'server'],
    [503, 'server'],
    [504, 'timeout'],
    [507, 'server'],
  ])('maps HTTP %i to %s', async (status, kind) => {
    handler = json(status, {
      error: { code: status, message: `failed with ${status}`, status: 'X' },
    });
    expect(await failure(developer().generate(call()))).toMatchObject({ kind, status });
  });

  it('maps a non-JSON error body the SDK wraps (503 text/plain)', async () => {
    handler = json(503, 'upstream connect error or disconnect/reset before headers', 'text/plain');
    const error = await failure(developer().generate(call()));
    expect(error).toMatchObject({ kind: 'server', status: 503 });
    expect(error.message).toContain('upstream connect error');
  });

  it('never puts the API key into an error message', async () => {
    handler = json(400, {
      error: {
        code: 400,
        message: `API key ${SECRET} not valid (?key=${SECRET})`,
        status: 'INVALID_ARGUMENT',
      },
    });
    const error = await failure(developer().generate(call()));
    expect(error.kind).toBe('bad_request');
    expect(error.message).not.toContain(SECRET);
  });

  it('returns a blocked prompt as data, not an error', async () => {
    const blocked = { promptFeedback: { blockReason: 'SAFETY' }, modelVersion: 'gemini-test-001' };
    handler = json(200, blocked);
    expect(await developer().generate(call())).toEqual(blocked);
    handler = sse([data(blocked)]);
    expect(await developer().generate(call(true))).toMatchObject(blocked);
  });

  it('merges a stream: text joined, code parts kept in order, last metadata wins', async () => {
    const chunk = (parts: unknown[], extra: object = {}) => ({
      candidates: [{ content: { role: 'model', parts }, index: 0 }],
      ...extra,
    });
    handler = sse([
      data(
        chunk([{ text: 'Let me ' }, { text: 'compute.' }], { modelVersion: 'v1', responseId: 'r' }),
      ),
      data(chunk([{ executableCode: { language: 'PYTHON', code: 'print(2+2)' } }])),
      data(chunk([{ codeExecutionResult: { outcome: 'OUTCOME_OK', output: '4\n' } }])),
      data(chunk([{ text: 'It is ' }])),
      data({
        ...chunk([{ text: '4.' }]),
        usageMetadata: { totalTokenCount: 9 },
        modelVersion: 'v2',
      }),
      data({
        candidates: [{ content: { role: 'model', parts: [] }, finishReason: 'STOP', index: 0 }],
      }),
    ]);
    const response = await developer().generate(call(true));
    expect(seen[0]?.url).toBe('/v1/models/gemini-test:streamGenerateContent?alt=sse');
    expect(response.candidates?.[0]?.content?.parts).toEqual([
      { text: 'Let me compute.' },
      { executableCode: { language: 'PYTHON', code: 'print(2+2)' } },
      { codeExecutionResult: { outcome: 'OUTCOME_OK', output: '4\n' } },
      { text: 'It is 4.' },
    ]);
    expect(response).toMatchObject({
      modelVersion: 'v2',
      responseId: 'r',
      usageMetadata: { totalTokenCount: 9 },
    });
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
  });

  it('maps a mid-stream error event by its code', async () => {
    handler = sse([
      data({ candidates: [{ content: { parts: [{ text: 'par' }] } }] }),
      data({ error: { code: 503, message: 'overloaded', status: 'UNAVAILABLE' } }),
    ]);
    expect(await failure(developer().generate(call(true)))).toMatchObject({
      kind: 'server',
      status: 503,
    });
  });

  it('maps a cut SSE event to truncated', async () => {
    handler = sse([
      data({ candidates: [{ content: { parts: [{ text: 'a' }] } }] }),
      'data: {"candidates":[{"cont',
    ]);
    expect(await failure(developer().generate(call(true)))).toMatchObject({ kind: 'truncated' });
  });

  it('maps a stream that ends without any finishReason to truncated', async () => {
    handler = sse([data({ candidates: [{ content: { parts: [{ text: 'a' }] } }] })]);
    expect(await failure(developer().generate(call(true)))).toMatchObject({ kind: 'truncated' });
  });

  it('maps a socket reset and a refused connection to network', async () => {
    handler = (req) => req.socket.destroy();
    expect(await failure(developer().generate(call()))).toMatchObject({ kind: 'network' });
    handler = sse([data({ candidates: [{ content: { parts: [{ text: 'a' }] } }] })], false);
    const streaming = developer().generate(call(true));
    setTimeout(() => server.closeAllConnections(), 50);
    expect((await failure(streaming)).kind).toMatch(/network|truncated/);
    const refused = createGeminiModelClient({
      mode: 'developer',
      apiKey: 'k',
      baseUrl: 'http://127.0.0.1:1',
    });
    expect(await failure(refused.generate(call()))).toMatchObject({ kind: 'network' });
  });

  it('rethrows the signal reason when the caller aborts a hanging call', async () => {
    handler = () => undefined; // never answers
    const controller = new AbortController();
    const reason = new Error('attempt timer');
    const pending = developer().generate(call(false, controller.signal));
    setTimeout(() => controller.abort(reason), 50);
    await expect(pending).rejects.toBe(reason);
    server.closeAllConnections();
  });
});
