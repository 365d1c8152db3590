import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createIdRegistry, duplicateResult } from '../../../functions/pipeline/id-registry.ts';
import { parseInputLine, peekId } from '../../../functions/pipeline/input-line.ts';
import type { ParsedLine } from '../../../functions/pipeline/input-line.ts';
import { DEFAULT_JOB_OPTIONS, resolveJobOptions } from '../../../functions/pipeline/job-options.ts';
import { readLines } from '../../../functions/pipeline/jsonl-reader.ts';
import type { RawLine } from '../../../functions/pipeline/jsonl-reader.ts';
import { isValid } from '../../../functions/pipeline/schema-validator.ts';
import type { Prompt, ResultRecord } from '../../../functions/pipeline/types.ts';
import badInputTable from '../../fixtures/bad-input.expected.json' with { type: 'json' };

const fixture = (name: string): Promise<Buffer> =>
  readFile(new URL(`../../fixtures/${name}`, import.meta.url));

async function* oneByteChunks(data: Uint8Array): AsyncIterable<Uint8Array> {
  for (let i = 0; i < data.length; i += 1) {
    await Promise.resolve(); // a real stream hands chunks over asynchronously
    yield data.subarray(i, i + 1);
  }
}

async function rawLines(name: string, maxLineBytes: number): Promise<RawLine[]> {
  const out: RawLine[] = [];
  const data = new Uint8Array(await fixture(name));
  for await (const l of readLines(oneByteChunks(data), { firstLine: 1, maxLineBytes })) out.push(l);
  return out;
}

const text = (line: number, t: string): RawLine => ({
  line,
  kind: 'text',
  text: t,
  bytes: t.length + 1,
});
const parse = (t: string, line = 1, options = DEFAULT_JOB_OPTIONS): ParsedLine =>
  parseInputLine(text(line, t), options);
function promptOf(t: string, options = DEFAULT_JOB_OPTIONS): Prompt {
  const parsed = parse(t, 1, options);
  if (parsed.kind !== 'prompt') throw new Error(`not a prompt: ${JSON.stringify(parsed)}`);
  return parsed.prompt;
}
function errorOf(t: string, line = 1): ResultRecord {
  const parsed = parse(t, line);
  if (parsed.kind !== 'invalid') throw new Error(`not invalid: ${JSON.stringify(parsed)}`);
  return parsed.result;
}

/** Line → field at fault in test/fixtures/bad-input.jsonl; 'ok' = a good line, 'blank' = skipped. */
const BAD_INPUT: Record<number, string> = badInputTable;

describe('bad-input.jsonl', () => {
  it('gives every bad line an invalid result naming its line and field, and parses every good line', async () => {
    const options = resolveJobOptions({ maxLineBytes: 400 });
    const raws = await rawLines('bad-input.jsonl', options.maxLineBytes);
    expect(raws).toHaveLength(Object.keys(BAD_INPUT).length);
    const registry = createIdRegistry();
    const seen: Record<number, string> = {};
    for (const raw of raws) {
      let parsed = parseInputLine(raw, options);
      if (parsed.kind === 'blank') {
        seen[raw.line] = 'blank';
        continue;
      }
      const id = peekId(raw);
      const first = registry.claim(id, raw.line);
      if (first !== undefined && parsed.kind === 'prompt') {
        parsed = {
          kind: 'invalid',
          result: duplicateResult({ id, line: raw.line }, first, options.model),
        };
      }
      if (parsed.kind === 'prompt') {
        seen[raw.line] = 'ok';
        expect(parsed.prompt.id).toBe(id);
        continue;
      }
      const { result } = parsed;
      seen[raw.line] = result.error?.field ?? '?';
      expect(result).toMatchObject({ line: raw.line, status: 'error', attempts: 0 });
      expect(result.error?.kind).toBe('invalid_input');
      expect(result.error?.message).toMatch(new RegExp(`^line ${raw.line}: `));
      if (result.error?.field !== 'line')
        expect(result.error?.message).toContain(`"${result.error?.field}"`);
      expect(result.error?.message).toMatch(/(Fix|fix|remove|Remove|Shorten|Give)/);
      expect(result.id).toBe(id);
      expect(isValid('result-line', result)).toBe(true);
    }
    expect(seen).toEqual(BAD_INPUT);
    // At least 18 distinct kinds of bad line, as promised.
    expect(
      Object.values(BAD_INPUT).filter((f) => f !== 'ok' && f !== 'blank').length,
    ).toBeGreaterThanOrEqual(30);
  });

  it.each([
    [
      12,
      '{"id":"b5","prompt":7}',
      'line 12: field "prompt" must be a non-empty string or a list of parts; got number. Fix the line or remove it.',
    ],
    [
      3,
      '{"prompt":""}',
      'line 3: field "prompt" must be a non-empty string or a list of parts; got an empty string. Fix the line or remove it.',
    ],
    [
      5,
      '{"id":"x","prompt":"p","config":{"temperature":3}}',
      'line 5: field "config.temperature" must be a number from 0 to 2; got 3. Fix the line or remove it.',
    ],
    [
      9,
      '[1]',
      'line 9: must be a JSON object such as {"id": "q1", "prompt": "..."}; got a list. Fix the line or remove it.',
    ],
    [
      2,
      '{"q":1}',
      'line 2: has no "prompt" or "request" field; a line must be {"id": ..., "prompt": ...} or {"key": ..., "request": {"contents": [...]}}. Fix the line or remove it.',
    ],
  ])('message for line %i %s', (line, input, message) => {
    expect(errorOf(input, line).error?.message).toBe(message);
  });

  it('keeps a readable id and metadata on an invalid line, else uses line-<n>', () => {
    expect(errorOf('{"id":"q1","prompt":5,"metadata":{"a":1}}', 4)).toMatchObject({
      id: 'q1',
      metadata: { a: 1 },
      model: DEFAULT_JOB_OPTIONS.model,
    });
    expect(errorOf('{"id":"a/b","prompt":5}', 4).id).toBe('line-4');
    expect(errorOf('{"key":"k9","request":{}}', 4).id).toBe('k9');
  });

  it('reports too-long and non-UTF-8 lines with the limit and what to do', () => {
    const tooLong = parseInputLine({ line: 8, kind: 'too_long', bytes: 5000 }, DEFAULT_JOB_OPTIONS);
    expect(tooLong.kind === 'invalid' && tooLong.result.error?.message).toMatch(
      /^line 8: the line is 5000 bytes, more than the limit of 1048576 bytes .*maxLineBytes/,
    );
    const bad = parseInputLine({ line: 9, kind: 'bad_utf8', bytes: 5 }, DEFAULT_JOB_OPTIONS);
    expect(bad.kind === 'invalid' && bad.result).toMatchObject({
      id: 'line-9',
      error: { field: 'line' },
    });
  });
});

describe('parseInputLine shapes', () => {
  it.each([[''], ['   '], ['\t'], ['\r']])('blank line %j', (t) => {
    expect(parse(t)).toEqual({ kind: 'blank' });
  });

  it('parses the plain shape with job defaults', () => {
    const options = resolveJobOptions({
      system: 'job system',
      generationConfig: { temperature: 1, topK: 5 },
    });
    const p = promptOf('{"prompt":"hi"}', options);
    expect(p).toEqual({
      id: 'line-1',
      line: 1,
      model: 'gemini-3.5-flash',
      request: {
        contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
        systemInstruction: { parts: [{ text: 'job system' }] },
        generationConfig: { temperature: 1, topK: 5 },
        tools: [{ codeExecution: {} }],
      },
    });
  });

  it('lets per-line model, system and config override the job', () => {
    const options = resolveJobOptions({
      system: 'job',
      generationConfig: { temperature: 1, topK: 5 },
    });
    const p = promptOf(
      '{"id":"a","prompt":"x","model":"gemini-3.6-flash","system":"line","config":{"temperature":0,"max_output_tokens":9}}',
      options,
    );
    expect(p.model).toBe('gemini-3.6-flash');
    expect(p.request.systemInstruction).toEqual({ parts: [{ text: 'line' }] });
    expect(p.request.generationConfig).toEqual({ temperature: 0, topK: 5, maxOutputTokens: 9 });
  });

  it('adds no code-execution tool when the job turns it off', () => {
    const p = promptOf('{"prompt":"x"}', resolveJobOptions({ codeExecution: false }));
    expect(p.request.tools).toBeUndefined();
  });

  it('accepts integer ids as strings', () => {
    expect(promptOf('{"id":7,"prompt":"x"}').id).toBe('7');
  });

  it('parses mixed-shapes.jsonl (CRLF, snake_case, all three shapes)', async () => {
    const raws = await rawLines('mixed-shapes.jsonl', 4096);
    const parsed = raws.map((r) => parseInputLine(r, DEFAULT_JOB_OPTIONS));
    expect(parsed.map((p) => p.kind)).toEqual([
      'prompt',
      'prompt',
      'prompt',
      'prompt',
      'prompt',
      'prompt',
      'blank',
      'prompt',
      'prompt',
    ]);
    const byId = new Map(
      parsed.flatMap((p) => (p.kind === 'prompt' ? [[p.prompt.id, p.prompt]] : [])),
    );
    expect(byId.get('with-all')).toMatchObject({
      model: 'gemini-3.6-flash',
      expected: { contains: '3, 5, 9' },
      metadata: { set: 'demo' },
      request: { generationConfig: { temperature: 0.2, maxOutputTokens: 256 } },
    });
    expect(byId.get('parts')?.request.contents).toEqual([
      {
        role: 'user',
        parts: [
          { text: 'Look at this' },
          { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
        ],
      },
    ]);
    expect(byId.get('turns')?.request.contents.map((c) => c.role)).toEqual([
      'user',
      'model',
      'user',
    ]);
    const snake = byId.get('batch-snake')?.request;
    expect(snake).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'snake' }] }],
      systemInstruction: { parts: [{ text: 'sys' }] },
      generationConfig: {
        maxOutputTokens: 64,
        responseMimeType: 'application/json',
        // The user's property names stay as written; the schema's own fields are camelCased.
        responseSchema: {
          type: 'OBJECT',
          properties: { final_answer: { type: 'STRING' } },
          propertyOrdering: ['final_answer'],
        },
      },
      labels: { team_name: 'evals' },
      tools: [{ codeExecution: {} }],
    });
    // Vertex: extra fields become metadata; the line's own tools are kept (no code execution added).
    const vertex = byId.get('line-8');
    expect(vertex?.metadata).toEqual({ source_url: 'https://example.com/a', row: 3 });
    expect(vertex?.request.tools).toEqual([{ googleSearch: {} }]);
    // A model inside the request chooses the prompt's model and leaves the body.
    const batchModel = byId.get('batch-model');
    expect(batchModel?.model).toBe('gemini-3.6-flash');
    expect(batchModel?.request).not.toHaveProperty('model');
    expect(batchModel?.metadata).toEqual({ k: 'v' });
  });
});

describe('peekId', () => {
  it.each([
    ['{"id":"q1","prompt":"x"}', 'q1'],
    ['{"key":"k1","request":{}}', 'k1'],
    ['{"key":"k1","id":"i1","request":{}}', 'k1'],
    ['{"id":12,"prompt":"x"}', '12'],
    ['{"id":"a/b","prompt":"x"}', 'line-3'],
    ['{"id":"","prompt":"x"}', 'line-3'],
    ['not json', 'line-3'],
    ['[1]', 'line-3'],
    ['{"prompt":"x"}', 'line-3'],
    ['', 'line-3'],
  ])('%s → %s', (t, id) => {
    expect(peekId(text(3, t))).toBe(id);
  });

  it('uses line-<n> for too-long and bad UTF-8 lines', () => {
    expect(peekId({ line: 4, kind: 'too_long', bytes: 9 })).toBe('line-4');
    expect(peekId({ line: 5, kind: 'bad_utf8', bytes: 9 })).toBe('line-5');
  });
});

describe('id registry', () => {
  it('returns the first line of a repeated id', () => {
    const r = createIdRegistry();
    expect(r.claim('a', 1)).toBeUndefined();
    expect(r.claim('b', 2)).toBeUndefined();
    expect(r.claim('a', 5)).toBe(1);
    expect(r.claim('a', 9)).toBe(1);
  });

  it('builds a duplicate result that names both lines', () => {
    const result = duplicateResult({ id: 'q1', line: 9 }, 3, 'm');
    expect(result).toMatchObject({
      id: 'q1',
      line: 9,
      status: 'error',
      model: 'm',
      error: { kind: 'invalid_input', field: 'id' },
    });
    expect(result.error?.message).toMatch(/^line 9: field "id" \("q1"\) is already used by line 3/);
    expect(isValid('result-line', result)).toBe(true);
  });
});
