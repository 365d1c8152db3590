/**
 * `sluice run` end to end: the real CLI in a child process, the real @google/genai SDK, the
 * Gemini emulator with seeded faults, python code runs. Asserts promise 1 (one result per line,
 * in order) and that only retryable failures were retried into success.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultRecord } from '../../functions/pipeline/types.ts';
import type { SummaryReport } from '../../functions/pipeline/summary.ts';
import { runCli } from '../support/run-cli.ts';

const LINES = 500;
/** Lines whose failure no retry can fix, and the error kind each must end with. */
const PERMANENT: Record<number, { marker?: string; model?: string; kind: string }> = {};
for (let line = 7; line <= LINES; line += 50)
  PERMANENT[line] = { marker: '[[fault:400]]', kind: 'bad_request' };
for (let line = 19; line <= LINES; line += 100)
  PERMANENT[line] = { marker: '[[fault:blocked]]', kind: 'blocked' };
for (let line = 33; line <= LINES; line += 125)
  PERMANENT[line] = { model: 'nonexistent-model', kind: 'not_found' };

function promptFor(line: number): Record<string, unknown> {
  const permanent = PERMANENT[line];
  const base =
    line % 3 === 0
      ? `What is ${line} * ${line + 7}?`
      : line % 3 === 1
        ? `Tell me one fact about the number ${line}.`
        : `Compute ${line}**2 + ${line}`;
  const prompt = permanent?.marker
    ? `${base} ${permanent.marker}`
    : line % 40 === 0
      ? `${base} [[fault:503x2]]`
      : base;
  return { id: `p-${line}`, prompt, ...(permanent?.model ? { model: permanent.model } : {}) };
}

describe('sluice run on a 500-line file with 10% injected faults', () => {
  let dir: string;
  let results: ResultRecord[];
  let summary: SummaryReport;
  let stdout: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-e2e-'));
    const input = join(dir, 'prompts.jsonl');
    const lines = Array.from({ length: LINES }, (_, i) => JSON.stringify(promptFor(i + 1)));
    await writeFile(input, `${lines.join('\n')}\n`);
    // Short backoff keeps the run quick; the policy is the same as in production.
    await writeFile(
      join(dir, 'options.json'),
      JSON.stringify({
        backoffInitialMs: 5,
        backoffMaxMs: 50,
        concurrency: 16,
        batchLines: 60,
        maxAttempts: 6,
      }),
    );
    const faults = {
      seed: 42,
      rate429: 0.03,
      rate500: 0.02,
      rate503: 0.03,
      rate504: 0.02,
      retryDelaySeconds: 0.05,
    };
    const out = join(dir, 'out');
    const run = await runCli(
      [
        'run',
        input,
        '--emulator',
        '--out',
        out,
        '--options',
        join(dir, 'options.json'),
        '--emulator-faults',
        JSON.stringify(faults),
      ],
      { timeoutMs: 240_000 },
    );
    stdout = run.stdout;
    expect(run.stderr).not.toMatch(/Error:|TypeError/);
    expect(run.code, run.stderr).toBe(0);
    results = (await readFile(join(out, 'results.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ResultRecord);
    summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as SummaryReport;
  }, 300_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes exactly one result per input line, unique ids, in input order', () => {
    expect(results).toHaveLength(LINES);
    expect(new Set(results.map((r) => r.id)).size).toBe(LINES);
    expect(results.map((r) => r.line)).toEqual(Array.from({ length: LINES }, (_, i) => i + 1));
    expect(results.map((r) => r.id)).toEqual(Array.from({ length: LINES }, (_, i) => `p-${i + 1}`));
  });

  it('ends every retryable failure in success and every permanent one in its error kind', () => {
    for (const result of results) {
      const permanent = PERMANENT[result.line];
      if (permanent) {
        expect(result.status, `line ${result.line}`).toBe('error');
        expect(result.error?.kind, `line ${result.line}`).toBe(permanent.kind);
        if (permanent.kind === 'bad_request') expect(result.attempts).toBe(1);
      } else {
        expect(result.status, `line ${result.line}: ${JSON.stringify(result.error)}`).toBe('ok');
      }
    }
    // The seeded faults and the [[fault:503x2]] markers really were retried.
    expect(results.filter((r) => r.attempts > 1).length).toBeGreaterThan(LINES * 0.05);
    expect(results.filter((r) => r.line % 40 === 0).every((r) => r.attempts >= 3)).toBe(true);
  });

  it('ran real code for the arithmetic prompts', () => {
    const coded = results.filter((r) =>
      r.steps.some((s) => s.type === 'code_result' && s.outcome === 'OUTCOME_OK'),
    );
    expect(coded.length).toBeGreaterThan(LINES / 3);
    const line3 = results[2];
    expect(line3?.text).toContain(String(3 * 10));
  });

  it('writes a summary whose counts add up to the lines', () => {
    const permanentCount = Object.keys(PERMANENT).length;
    expect(summary.counts).toEqual({
      total: LINES,
      ok: LINES - permanentCount,
      error: permanentCount,
    });
    const kinds = Object.values(summary.errorKinds).reduce((a, b) => a + (b ?? 0), 0);
    expect(kinds).toBe(summary.counts.error);
    expect(summary.attempts.total).toBe(results.reduce((a, r) => a + r.attempts, 0));
    expect(stdout).toMatch(/ok 4\d\d, error \d+/);
    expect(stdout).toMatch(/latency ms\s+p50 \d+/);
  });
});
