/**
 * Promise 5 end to end: `sluice run` on a file with 30+ kinds of bad lines. Each bad line becomes
 * an error result naming its line and field; every good line in the same file still succeeds.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultRecord } from '../../functions/pipeline/types.ts';
import table from '../fixtures/bad-input.expected.json' with { type: 'json' };
import { REPO_ROOT, runCli } from '../support/run-cli.ts';

const expected: Record<string, string> = table;

describe('sluice run on test/fixtures/bad-input.jsonl', () => {
  let dir: string;
  let results: ResultRecord[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-bad-'));
    await writeFile(join(dir, 'options.json'), JSON.stringify({ maxLineBytes: 400 }));
    const run = await runCli([
      'run',
      join(REPO_ROOT, 'test/fixtures/bad-input.jsonl'),
      '--emulator',
      '--out',
      join(dir, 'out'),
      '--options',
      join(dir, 'options.json'),
    ]);
    expect(run.code, run.stderr).toBe(0);
    const text = await readFile(join(dir, 'out', 'results.jsonl'), 'utf8');
    results = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ResultRecord);
  }, 180_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('yields one result per non-blank line, in order', () => {
    const nonBlank = Object.entries(expected)
      .filter(([, field]) => field !== 'blank')
      .map(([line]) => Number(line));
    expect(results.map((r) => r.line)).toEqual(nonBlank);
    expect(
      nonBlank.length - Object.values(expected).filter((f) => f === 'ok').length,
    ).toBeGreaterThanOrEqual(15);
  });

  it.each(Object.entries(expected).filter(([, field]) => field !== 'blank'))(
    'line %s → %s',
    (line, field) => {
      const result = results.find((r) => r.line === Number(line));
      if (field === 'ok') {
        expect(result?.status, JSON.stringify(result?.error)).toBe('ok');
        expect(result?.text).toBeTruthy();
        return;
      }
      expect(result?.status).toBe('error');
      expect(result?.error?.kind).toBe('invalid_input');
      expect(result?.error?.field).toBe(field);
      expect(result?.error?.message).toContain(`line ${line}`);
    },
  );
});
