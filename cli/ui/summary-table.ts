/** Renders a job's summary.json as the table `sluice run` prints at the end. */
import type { SummaryReport } from '../../functions/pipeline/summary.ts';

const pad = (label: string, width = 22): string => label.padEnd(width);
const num = (n: number): string => n.toLocaleString('en-US');

function countsLine(counts: Record<string, number | undefined>): string {
  const entries = Object.entries(counts).filter((e): e is [string, number] => (e[1] ?? 0) > 0);
  if (entries.length === 0) return 'none';
  return entries
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${num(v)}`)
    .join(', ');
}

/** Plain text, fixed-width, no colours: it must read the same in a terminal, a log or CI. */
export function renderSummary(
  report: SummaryReport,
  paths: { results: string; summary: string },
): string {
  const { counts, tokens, latencyMs } = report;
  const rows: Array<[string, string]> = [
    ['job', report.jobId],
    ['model', report.model],
    ['results', `${num(counts.total)} (ok ${num(counts.ok)}, error ${num(counts.error)})`],
    ['error kinds', countsLine(report.errorKinds)],
    ['finish reasons', countsLine(report.finishReasons)],
    ['code runs', countsLine(report.codeRuns)],
    [
      'tokens',
      `prompt ${num(tokens.promptTokens)}, output ${num(tokens.candidatesTokens)}, ` +
        `tool ${num(tokens.toolUsePromptTokens)}, thoughts ${num(tokens.thoughtsTokens)}, total ${num(tokens.totalTokens)}`,
    ],
    [
      'latency ms',
      `p50 ${num(Math.round(latencyMs.p50))}, p95 ${num(Math.round(latencyMs.p95))}, max ${num(Math.round(latencyMs.max))}`,
    ],
    [
      'attempts',
      `${num(report.attempts.total)} (${num(report.attempts.retriedPrompts)} prompts retried)`,
    ],
  ];
  if (report.images > 0) rows.push(['images', num(report.images)]);
  if (report.score && report.score.scored > 0) {
    const { scored, passed, rate } = report.score;
    rows.push(['score', `${num(passed)}/${num(scored)} passed (${(rate * 100).toFixed(1)}%)`]);
  }
  rows.push(['results file', paths.results], ['summary file', paths.summary]);
  return rows.map(([k, v]) => `  ${pad(k)}${v}`).join('\n');
}
