import { describe, expect, it } from 'vitest';
import { errorResult } from '../../../functions/pipeline/result-record.ts';
import { validateSchema } from '../../../functions/pipeline/schema-validator.ts';
import {
  LATENCY_BOUNDS_MS,
  addResult,
  bucketOf,
  emptySummary,
  latencyPercentile,
  mergeSummaries,
  summaryReport,
} from '../../../functions/pipeline/summary.ts';
import type { ResultRecord, Summary } from '../../../functions/pipeline/types.ts';

/** A deterministic mix of results (LCG), covering every counter. */
function results(count: number, seed: number): ResultRecord[] {
  let s = seed;
  const next = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  return Array.from({ length: count }, (_, i): ResultRecord => {
    const r = next();
    if (r < 0.15)
      return errorResult(
        { id: `e${i}`, line: i + 1 },
        { kind: 'invalid_input', message: 'bad', field: 'prompt' },
      );
    const attempts = 1 + Math.floor(next() * 3);
    const latencyMs = Math.round(next() ** 3 * 700_000);
    if (r < 0.3)
      return errorResult(
        { id: `t${i}`, line: i + 1 },
        { kind: r < 0.22 ? 'timeout' : 'rate_limited', message: 'x' },
        { attempts, latencyMs },
      );
    return {
      id: `q${i}`,
      line: i + 1,
      status: 'ok',
      steps: [
        { type: 'code', language: 'PYTHON', code: 'print(1)' },
        { type: 'code_result', outcome: r < 0.5 ? 'OUTCOME_FAILED' : 'OUTCOME_OK', output: '1' },
        ...(r > 0.9
          ? [
              {
                type: 'image' as const,
                mimeType: 'image/png',
                file: `images/q${i}-1.png`,
                bytes: 10,
              },
            ]
          : []),
      ],
      finishReason: r < 0.95 ? 'STOP' : 'MAX_TOKENS',
      usage: {
        promptTokens: 10,
        cachedTokens: 1,
        candidatesTokens: 20,
        toolUsePromptTokens: 3,
        thoughtsTokens: 2,
        totalTokens: 35,
      },
      attempts,
      latencyMs,
      ...(r > 0.6 && { score: { expected: 1, pass: r > 0.75, method: 'number' } }),
    };
  });
}

function summaryOf(rs: ResultRecord[]): Summary {
  const s = emptySummary();
  for (const r of rs) addResult(s, r);
  return s;
}

describe('summary', () => {
  it('counts every field of a result', () => {
    const s = summaryOf(results(50, 7));
    const rs = results(50, 7);
    expect(s.total).toBe(50);
    expect(s.ok + s.error).toBe(50);
    expect(s.errorKinds.invalid_input).toBe(
      rs.filter((r) => r.error?.kind === 'invalid_input').length,
    );
    expect(s.attempts.total).toBe(rs.reduce((n, r) => n + r.attempts, 0));
    expect(s.attempts.retriedPrompts).toBe(rs.filter((r) => r.attempts > 1).length);
    expect(s.tokens.totalTokens).toBe(35 * s.ok);
    expect((s.codeRuns.OUTCOME_OK ?? 0) + (s.codeRuns.OUTCOME_FAILED ?? 0)).toBe(s.ok);
    expect(s.images).toBe(rs.filter((r) => r.steps.some((st) => st.type === 'image')).length);
    // Invalid lines made no call: their 0 ms is not a latency.
    expect(s.latency.counts.reduce((a, b) => a + b, 0)).toBe(
      rs.filter((r) => r.attempts > 0).length,
    );
    expect(s.score.scored).toBe(rs.filter((r) => r.score).length);
  });

  it.each([
    [1, 2],
    [17, 30],
    [0, 5],
    [40, 0],
  ])('merge of summaries of %i and %i results equals the summary of all of them', (a, b) => {
    const left = results(a, 11);
    const right = results(b, 99);
    const merged = summaryOf(left);
    mergeSummaries(merged, summaryOf(right));
    expect(merged).toEqual(summaryOf([...left, ...right]));
  });

  it('refuses to merge summaries with different buckets', () => {
    const other = emptySummary();
    other.latency.boundsMs = [1, 2];
    other.latency.counts = [0, 0, 0];
    expect(() => mergeSummaries(emptySummary(), other)).toThrow(/different latency buckets/);
  });

  it.each([
    [0, 0],
    [50, 0],
    [50.0001, 1],
    [600_000, LATENCY_BOUNDS_MS.length - 1],
    [600_001, LATENCY_BOUNDS_MS.length],
  ])('bucket of %d ms is %d', (ms, bucket) => {
    expect(bucketOf(LATENCY_BOUNDS_MS, ms)).toBe(bucket);
  });

  it.each([
    // latencies, q, expected estimate
    [[], 0.5, 0],
    [[1200], 0.5, 1200], // one sample: clamped to the max
    // Four samples in (50, 100]; rank 2 → 50 + 50·2/4: interpolated, not the exact value.
    [[100, 100, 100, 100], 0.5, 75],
    // (500, 750] holds 600 and 700; rank 2 is its last → its upper bound.
    [[600, 700, 800, 900], 0.5, 750],
    [[10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.95, 100],
    [[700_000, 800_000], 0.5, 700_000], // open-ended bucket: (600 s, max]
  ])('percentile of %j at q=%d', (latencies, q, expected) => {
    const s = emptySummary();
    latencies.forEach((latencyMs, i) =>
      addResult(s, { id: `${i}`, line: i + 1, status: 'ok', steps: [], attempts: 1, latencyMs }),
    );
    const p = latencyPercentile(s, q);
    expect(p).toBe(expected);
    expect(p).toBeLessThanOrEqual(s.latency.maxMs);
  });

  it('keeps percentiles close to the exact ones on many samples', () => {
    const rs = results(2000, 3).filter((r) => r.attempts > 0);
    const s = summaryOf(rs);
    const sorted = rs.map((r) => r.latencyMs).sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.95, 0.99]) {
      const exact = sorted[Math.ceil(q * sorted.length) - 1] ?? 0;
      const b = bucketOf(LATENCY_BOUNDS_MS, exact);
      const lower = b === 0 ? 0 : LATENCY_BOUNDS_MS[b - 1]!;
      const upper = LATENCY_BOUNDS_MS[b] ?? s.latency.maxMs;
      const estimate = latencyPercentile(s, q);
      expect(estimate).toBeGreaterThanOrEqual(lower);
      expect(estimate).toBeLessThanOrEqual(upper);
    }
    expect(latencyPercentile(s, 0.5)).toBeLessThanOrEqual(latencyPercentile(s, 0.95));
  });
});

describe('summaryReport', () => {
  it('reports counts, percentiles and score, and validates against summary.schema.json', () => {
    const s = summaryOf(results(300, 5));
    const report = summaryReport(s, {
      jobId: 'job-1',
      model: 'gemini-3.5-flash',
      createdAt: '2026-11-01T00:00:00Z',
      finishedAt: '2026-11-01T00:10:00.000Z',
    });
    expect(report.counts).toEqual({ total: s.total, ok: s.ok, error: s.error });
    expect(report.score).toEqual({
      scored: s.score.scored,
      passed: s.score.passed,
      rate: s.score.passed / s.score.scored,
    });
    expect(report.latencyMs.max).toBe(s.latency.maxMs);
    expect(report.latencyMs.p50).toBeLessThanOrEqual(report.latencyMs.p95);
    expect(report.histogram).toEqual(s.latency);
    expect(report.histogram.counts).not.toBe(s.latency.counts);
    expect(validateSchema('summary', JSON.parse(JSON.stringify(report)))).toBeUndefined();
  });

  it('omits score when nothing was scored; an empty summary is valid', () => {
    const report = summaryReport(emptySummary(), {
      jobId: 'j',
      model: 'm',
      finishedAt: '2026-11-01T00:00:00Z',
    });
    expect(report.score).toBeUndefined();
    expect(report.latencyMs).toEqual({ p50: 0, p95: 0, max: 0, mean: 0 });
    expect(validateSchema('summary', report)).toBeUndefined();
  });
});
