/** parseInputLine over test/fixtures/bad-input.jsonl: every bad line named, every good one parsed. */
import { describe, expect, it } from 'vitest';
import { createIdRegistry, duplicateResult } from '../../../functions/pipeline/id-registry.ts';
import { parseInputLine, peekId } from '../../../functions/pipeline/input-line.ts';
import { DEFAULT_JOB_OPTIONS, resolveJobOptions } from '../../../functions/pipeline/job-options.ts';
import { isValid } from '../../../functions/pipeline/schema-validator.ts';
import { errorOf, rawLines } from '../../fakes/input-line.ts';
import badInputTable from '../../fixtures/bad-input.expected.json' with { type: 'json' };

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
