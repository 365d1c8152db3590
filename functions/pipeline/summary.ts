/**
 * Mergeable counters over results: each batch writes one, the finisher merges them without
 * re-reading results (so merge(a, b) equals the summary of a's and b's results together).
 * Latency is a fixed-bucket histogram, the same bounds for every summary, so percentiles
 * survive merging.
 */
import type { ResultRecord, Summary, Usage } from './types.ts';

/**
 * Upper bounds (ms, inclusive) of the latency buckets. `counts` has one more entry than this:
 * the last bucket holds everything above 600 s.
 */
export const LATENCY_BOUNDS_MS: readonly number[] = Object.freeze([
  50, 100, 200, 300, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 7_500, 10_000, 15_000, 20_000,
  30_000, 45_000, 60_000, 90_000, 120_000, 180_000, 300_000, 600_000,
]);

const USAGE_KEYS = [
  'promptTokens',
  'cachedTokens',
  'candidatesTokens',
  'toolUsePromptTokens',
  'thoughtsTokens',
  'totalTokens',
] as const satisfies readonly (keyof Usage)[];

export function emptyUsage(): Usage {
  return {
    promptTokens: 0,
    cachedTokens: 0,
    candidatesTokens: 0,
    toolUsePromptTokens: 0,
    thoughtsTokens: 0,
    totalTokens: 0,
  };
}

export function emptySummary(): Summary {
  return {
    total: 0,
    ok: 0,
    error: 0,
    errorKinds: {},
    finishReasons: {},
    tokens: emptyUsage(),
    attempts: { total: 0, retriedPrompts: 0 },
    codeRuns: {},
    images: 0,
    latency: {
      boundsMs: [...LATENCY_BOUNDS_MS],
      counts: new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0),
      sumMs: 0,
      maxMs: 0,
    },
    score: { scored: 0, passed: 0 },
  };
}

function bump<K extends string>(map: Partial<Record<K, number>>, key: K, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

/** Index of the bucket holding `ms`: the first bound ≥ ms, else the open-ended last bucket. */
export function bucketOf(boundsMs: readonly number[], ms: number): number {
  const i = boundsMs.findIndex((bound) => ms <= bound);
  return i === -1 ? boundsMs.length : i;
}

/**
 * Counts one result. Latency is recorded only for results that called the model
 * (`attempts > 0`): an invalid line's 0 ms would drag the percentiles down.
 */
export function addResult(summary: Summary, result: ResultRecord): void {
  summary.total += 1;
  if (result.status === 'ok') summary.ok += 1;
  else summary.error += 1;
  if (result.error) bump(summary.errorKinds, result.error.kind);
  if (result.finishReason) bump(summary.finishReasons, result.finishReason);
  if (result.usage) for (const k of USAGE_KEYS) summary.tokens[k] += result.usage[k];
  summary.attempts.total += result.attempts;
  if (result.attempts > 1) summary.attempts.retriedPrompts += 1;
  for (const step of result.steps) {
    if (step.type === 'code_result') bump(summary.codeRuns, step.outcome);
    else if (step.type === 'image') summary.images += 1;
  }
  if (result.attempts > 0) {
    const { latency } = summary;
    const i = bucketOf(latency.boundsMs, result.latencyMs);
    latency.counts[i] = (latency.counts[i] ?? 0) + 1;
    latency.sumMs += result.latencyMs;
    latency.maxMs = Math.max(latency.maxMs, result.latencyMs);
  }
  if (result.score) {
    summary.score.scored += 1;
    if (result.score.pass) summary.score.passed += 1;
  }
}

function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Adds `from` into `into`. Throws if their latency buckets differ (they never should). */
export function mergeSummaries(into: Summary, from: Summary): void {
  if (!sameBounds(into.latency.boundsMs, from.latency.boundsMs)) {
    throw new Error('cannot merge summaries with different latency buckets');
  }
  into.total += from.total;
  into.ok += from.ok;
  into.error += from.error;
  for (const [k, n] of Object.entries(from.errorKinds)) {
    bump(into.errorKinds, k as keyof Summary['errorKinds'], n);
  }
  for (const [k, n] of Object.entries(from.finishReasons)) bump(into.finishReasons, k, n);
  for (const k of USAGE_KEYS) into.tokens[k] += from.tokens[k];
  into.attempts.total += from.attempts.total;
  into.attempts.retriedPrompts += from.attempts.retriedPrompts;
  for (const [k, n] of Object.entries(from.codeRuns)) {
    bump(into.codeRuns, k as keyof Summary['codeRuns'], n);
  }
  into.images += from.images;
  from.latency.counts.forEach((n, i) => {
    into.latency.counts[i] = (into.latency.counts[i] ?? 0) + n;
  });
  into.latency.sumMs += from.latency.sumMs;
  into.latency.maxMs = Math.max(into.latency.maxMs, from.latency.maxMs);
  into.score.scored += from.score.scored;
  into.score.passed += from.score.passed;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of recorded latencies, estimated from the histogram: find the
 * bucket holding the rank ⌈q·n⌉ and interpolate linearly between the bucket's lower and upper
 * bound by the rank's position inside it. The open-ended last bucket uses the observed maximum as
 * its upper bound, and no estimate exceeds the maximum. 0 when nothing was recorded.
 */
export function latencyPercentile(summary: Summary, q: number): number {
  const { boundsMs, counts, maxMs } = summary.latency;
  const n = counts.reduce((a, b) => a + b, 0);
  if (n === 0) return 0;
  const rank = Math.min(n, Math.max(1, Math.ceil(Math.min(1, Math.max(0, q)) * n)));
  let before = 0;
  for (let i = 0; i < counts.length; i += 1) {
    const inBucket = counts[i] ?? 0;
    if (before + inBucket >= rank) {
      const lower = i === 0 ? 0 : (boundsMs[i - 1] ?? 0);
      const upper = Math.min(boundsMs[i] ?? maxMs, maxMs);
      const estimate = lower + ((upper - lower) * (rank - before)) / inBucket;
      return Math.min(Math.max(estimate, Math.min(lower, maxMs)), maxMs);
    }
    before += inBucket;
  }
  return maxMs;
}

/** summary.json (schemas/summary.schema.json). */
export interface SummaryReport {
  jobId: string;
  model: string;
  createdAt?: string;
  finishedAt: string;
  counts: { total: number; ok: number; error: number };
  errorKinds: Summary['errorKinds'];
  finishReasons: Summary['finishReasons'];
  tokens: Usage;
  attempts: Summary['attempts'];
  codeRuns: Summary['codeRuns'];
  images: number;
  /** p50/p95 from `latencyPercentile`; mean and max are exact. */
  latencyMs: { p50: number; p95: number; max: number; mean: number };
  /** Only when some result was scored; `rate` = passed / scored (errors are not scored). */
  score?: { scored: number; passed: number; rate: number };
  histogram: Summary['latency'];
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

/** The report written as summary.json, from a job's merged summary. */
export function summaryReport(
  summary: Summary,
  info: { jobId: string; model: string; createdAt?: string; finishedAt: string },
): SummaryReport {
  const timed = summary.latency.counts.reduce((a, b) => a + b, 0);
  const { scored, passed } = summary.score;
  return {
    jobId: info.jobId,
    model: info.model,
    ...(info.createdAt !== undefined && { createdAt: info.createdAt }),
    finishedAt: info.finishedAt,
    counts: { total: summary.total, ok: summary.ok, error: summary.error },
    errorKinds: { ...summary.errorKinds },
    finishReasons: { ...summary.finishReasons },
    tokens: { ...summary.tokens },
    attempts: { ...summary.attempts },
    codeRuns: { ...summary.codeRuns },
    images: summary.images,
    latencyMs: {
      p50: round(latencyPercentile(summary, 0.5)),
      p95: round(latencyPercentile(summary, 0.95)),
      max: summary.latency.maxMs,
      mean: timed === 0 ? 0 : round(summary.latency.sumMs / timed),
    },
    ...(scored > 0 && { score: { scored, passed, rate: passed / scored } }),
    histogram: {
      boundsMs: [...summary.latency.boundsMs],
      counts: [...summary.latency.counts],
      sumMs: summary.latency.sumMs,
      maxMs: summary.latency.maxMs,
    },
  };
}
