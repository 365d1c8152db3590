import { describe, expect, it } from 'vitest';
import { buildResult, errorResult, usageOf } from '../../../functions/pipeline/result-record.ts';
import { decodeBase64 } from '../../../functions/pipeline/result-steps.ts';
import { safeId } from '../../../functions/pipeline/safe-id.ts';
import { isValid, validateSchema } from '../../../functions/pipeline/schema-validator.ts';
import type {
  GenerateResponse,
  Part,
  Prompt,
  PromptOutcome,
} from '../../../functions/pipeline/types.ts';

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255]);
const PNG_B64 = btoa(String.fromCharCode(...PNG));

const prompt = (extra: Partial<Prompt> = {}): Prompt => ({
  id: 'q1',
  line: 3,
  model: 'gemini-3.5-flash',
  request: { contents: [{ role: 'user', parts: [{ text: 'x' }] }] },
  ...extra,
});

const response = (
  parts: Part[],
  extra: Partial<GenerateResponse> = {},
  finishReason = 'STOP',
): GenerateResponse => ({
  candidates: [{ content: { role: 'model', parts }, finishReason }],
  usageMetadata: {
    promptTokenCount: 10,
    candidatesTokenCount: 20,
    toolUsePromptTokenCount: 5,
    thoughtsTokenCount: 2,
    totalTokenCount: 37,
  },
  modelVersion: 'gemini-3.5-flash-001',
  responseId: 'r1',
  ...extra,
});

const CODE_PARTS: Part[] = [
  { text: 'thinking...', thought: true },
  { text: "I'll compute it." },
  { executableCode: { language: 'PYTHON', code: 'print(6*7)' } },
  { codeExecutionResult: { outcome: 'OUTCOME_OK', output: '42\n' } },
  { text: ' The answer is 42.' },
];

const outcome = (
  r: GenerateResponse | undefined,
  extra: Partial<PromptOutcome> = {},
): PromptOutcome => ({
  ...(r && { response: r }),
  attempts: 1,
  latencyMs: 1234,
  ...extra,
});

function expectSchemaValid(record: unknown): void {
  expect(validateSchema('result-line', record)).toBeUndefined();
}

describe('buildResult', () => {
  it('walks text, thought, code and code results into steps; text skips thoughts', () => {
    const { record, images } = buildResult(
      prompt({ metadata: { set: 'a' } }),
      outcome(response(CODE_PARTS)),
    );
    expect(images).toEqual([]);
    expect(record).toEqual({
      id: 'q1',
      line: 3,
      status: 'ok',
      model: 'gemini-3.5-flash',
      modelVersion: 'gemini-3.5-flash-001',
      responseId: 'r1',
      text: "I'll compute it. The answer is 42.",
      steps: [
        { type: 'text', text: 'thinking...', thought: true },
        { type: 'text', text: "I'll compute it." },
        { type: 'code', language: 'PYTHON', code: 'print(6*7)' },
        { type: 'code_result', outcome: 'OUTCOME_OK', output: '42\n' },
        { type: 'text', text: ' The answer is 42.' },
      ],
      finishReason: 'STOP',
      usage: {
        promptTokens: 10,
        cachedTokens: 0,
        candidatesTokens: 20,
        toolUsePromptTokens: 5,
        thoughtsTokens: 2,
        totalTokens: 37,
      },
      attempts: 1,
      latencyMs: 1234,
      metadata: { set: 'a' },
    });
    expectSchemaValid(record);
  });

  it('saves images beside the results and never inlines base64', () => {
    const parts: Part[] = [
      { text: 'Here is the plot.' },
      { inlineData: { mimeType: 'image/png', data: PNG_B64 } },
      { inlineData: { mimeType: 'image/jpeg', data: PNG_B64 } },
    ];
    const { record, images } = buildResult(prompt({ id: 'plot 1/a' }), outcome(response(parts)));
    const safe = safeId('plot 1/a');
    expect(safe).toMatch(/^plot_1_a~[0-9a-f]{8}$/);
    expect(images).toEqual([
      { file: `images/${safe}-1.png`, mimeType: 'image/png', data: PNG },
      { file: `images/${safe}-2.jpg`, mimeType: 'image/jpeg', data: PNG },
    ]);
    expect(record.steps.slice(1)).toEqual([
      { type: 'image', mimeType: 'image/png', file: `images/${safe}-1.png`, bytes: PNG.length },
      { type: 'image', mimeType: 'image/jpeg', file: `images/${safe}-2.jpg`, bytes: PNG.length },
    ]);
    expect(JSON.stringify(record)).not.toContain(PNG_B64);
    expectSchemaValid(record);
  });

  it('reports undecodable image data as an error but keeps the other steps', () => {
    const parts: Part[] = [
      { text: 'x' },
      { inlineData: { mimeType: 'image/png', data: '%%%not base64' } },
    ];
    const { record, images } = buildResult(prompt(), outcome(response(parts)));
    expect(images).toEqual([]);
    expect(record).toMatchObject({ status: 'error', text: 'x', error: { kind: 'internal' } });
    expect(record.error?.message).toMatch(/not valid base64/);
    expectSchemaValid(record);
  });

  it.each([
    [
      'promptFeedback.blockReason',
      response([], {
        candidates: [],
        promptFeedback: { blockReason: 'SAFETY', blockReasonMessage: 'nope' },
      }),
      'SAFETY',
    ],
    ['finishReason SAFETY without text', response([], {}, 'SAFETY'), 'SAFETY'],
    [
      'finishReason PROHIBITED_CONTENT',
      response([{ text: '  ' }], {}, 'PROHIBITED_CONTENT'),
      'PROHIBITED_CONTENT',
    ],
    ['finishReason RECITATION', response([], {}, 'RECITATION'), 'RECITATION'],
    ['finishReason IMAGE_SAFETY', response([], {}, 'IMAGE_SAFETY'), 'IMAGE_SAFETY'],
  ])('marks a blocked prompt as error kind blocked (%s)', (_name, r, status) => {
    const { record } = buildResult(prompt({ expected: 'x' }), outcome(r));
    expect(record).toMatchObject({ status: 'error', error: { kind: 'blocked', status } });
    expect(record.score).toBeUndefined();
    expectSchemaValid(record);
  });

  it('keeps a SAFETY finish that still returned text as ok', () => {
    const { record } = buildResult(
      prompt(),
      outcome(response([{ text: 'partial' }], {}, 'SAFETY')),
    );
    expect(record.status).toBe('ok');
  });

  it('keeps the steps of a response that came with an error (final code timeout)', () => {
    const parts: Part[] = [
      { executableCode: { language: 'PYTHON', code: 'while True: pass' } },
      { codeExecutionResult: { outcome: 'OUTCOME_DEADLINE_EXCEEDED', output: '' } },
      { text: 'The code timed out.' },
    ];
    const error = {
      kind: 'code_timeout' as const,
      message: 'code ran past 30 s on all 3 attempts',
    };
    const { record } = buildResult(
      prompt({ expected: 1 }),
      outcome(response(parts), { error, attempts: 3 }),
    );
    expect(record).toMatchObject({
      status: 'error',
      error,
      attempts: 3,
      text: 'The code timed out.',
    });
    expect(record.steps.map((s) => s.type)).toEqual(['code', 'code_result', 'text']);
    expect(record.score).toBeUndefined();
    expectSchemaValid(record);
  });

  it('builds an error result when there is no response', () => {
    const error = { kind: 'rate_limited' as const, status: 429, message: 'quota' };
    const { record } = buildResult(
      prompt({ metadata: { m: 1 } }),
      outcome(undefined, { error, attempts: 5, latencyMs: 99 }),
    );
    expect(record).toEqual({
      id: 'q1',
      line: 3,
      status: 'error',
      model: 'gemini-3.5-flash',
      steps: [],
      attempts: 5,
      latencyMs: 99,
      error,
      metadata: { m: 1 },
    });
    expectSchemaValid(record);
  });

  it('calls an outcome with neither response nor error internal', () => {
    const { record } = buildResult(prompt(), outcome(undefined));
    expect(record.error?.kind).toBe('internal');
  });

  it('scores ok answers that have expected', () => {
    const { record } = buildResult(prompt({ expected: 42 }), outcome(response(CODE_PARTS)));
    expect(record.score).toEqual({ expected: 42, pass: true, method: 'number' });
    const wrong = buildResult(
      prompt({ expected: { contains: 'forty' } }),
      outcome(response(CODE_PARTS)),
    );
    expect(wrong.record.score).toEqual({
      expected: { contains: 'forty' },
      pass: false,
      method: 'contains',
    });
    expectSchemaValid(wrong.record);
  });

  it('counts missing usage fields as 0 and maps unknown outcomes to UNSPECIFIED', () => {
    const r: GenerateResponse = {
      candidates: [{ content: { parts: [{ codeExecutionResult: { outcome: 'OUTCOME_OK' } }] } }],
    };
    const { record } = buildResult(prompt(), outcome(r));
    expect(record.usage).toEqual(usageOf(undefined));
    expect(record.steps).toEqual([{ type: 'code_result', outcome: 'OUTCOME_OK', output: '' }]);
    expect(record.text).toBeUndefined();
    expectSchemaValid(record);
  });
});

describe('errorResult', () => {
  it('builds a schema-valid record', () => {
    const r = errorResult(
      { id: 'a', line: 2 },
      { kind: 'deadline', message: 'batch deadline passed' },
    );
    expect(r).toEqual({
      id: 'a',
      line: 2,
      status: 'error',
      steps: [],
      attempts: 0,
      latencyMs: 0,
      error: { kind: 'deadline', message: 'batch deadline passed' },
    });
    expect(isValid('result-line', r)).toBe(true);
    const full = errorResult(
      { id: 'a', line: 2, model: 'm', metadata: { x: 1 } },
      { kind: 'server', status: 503, message: 'down' },
      { attempts: 5, latencyMs: 10 },
    );
    expect(full).toMatchObject({ model: 'm', metadata: { x: 1 }, attempts: 5, latencyMs: 10 });
    expect(isValid('result-line', full)).toBe(true);
  });
});

describe('decodeBase64 and safeId', () => {
  it.each([
    ['AQID', [1, 2, 3]],
    ['AQI=', [1, 2]],
    ['AQ==', [1]],
    ['-_8=', [251, 255]],
    ['AQ\nID', [1, 2, 3]],
  ])('%j', (b64, bytes) => {
    expect([...decodeBase64(b64)]).toEqual(bytes);
  });
  it.each([
    ['q1', 'q1'],
    ['line-7', 'line-7'],
    ['A.b_c-9', 'A.b_c-9'],
  ])('keeps safe id %s', (id, safe) => {
    expect(safeId(id)).toBe(safe);
  });
  it.each([['../etc'], ['.hidden'], ['a b'], ['a/b'], ['é'], ['x'.repeat(150)]])(
    'cleans unsafe id %j',
    (id) => {
      const safe = safeId(id);
      expect(safe).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._~-]*$/);
      expect(safe.length).toBeLessThanOrEqual(100);
    },
  );
  it('gives ids that clean to the same text different names', () => {
    expect(safeId('a b')).not.toBe(safeId('a/b'));
  });
});
