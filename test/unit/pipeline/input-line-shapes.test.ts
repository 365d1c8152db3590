/** parseInputLine's accepted shapes, peekId, and the id registry that catches repeated ids. */
import { describe, expect, it } from 'vitest';
import { createIdRegistry, duplicateResult } from '../../../functions/pipeline/id-registry.ts';
import { parseInputLine, peekId } from '../../../functions/pipeline/input-line.ts';
import { DEFAULT_JOB_OPTIONS, resolveJobOptions } from '../../../functions/pipeline/job-options.ts';
import { isValid } from '../../../functions/pipeline/schema-validator.ts';
import { parse, promptOf, rawLines, text } from '../../fakes/input-line.ts';

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
