/**
 * A small self-contained HTML report of a finished job, built from the merged Summary and the
 * first errors kept in the batch stats (never from re-reading results). Every string that came
 * from input or the model is escaped.
 */
import type { ErrorBrief } from './ledger.ts';
import { latencyPercentile } from './summary.ts';
import type { Summary } from './types.ts';

/** How many errors the report lists. */
export const REPORT_ERRORS = 50;

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

function table(headers: string[], rows: Array<Array<string | number>>): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export interface ReportInput {
  jobId: string;
  model: string;
  finishedAt: string;
  summary: Summary;
  errors: readonly ErrorBrief[];
}

export function renderReport(input: ReportInput): string {
  const s = input.summary;
  const sections = [
    `<h1>Sluice job ${escapeHtml(input.jobId)}</h1>`,
    `<p>Model ${escapeHtml(input.model)} · finished ${escapeHtml(input.finishedAt)}</p>`,
    '<h2>Results</h2>',
    table(
      ['total', 'ok', 'error', 'images', 'scored', 'passed'],
      [[s.total, s.ok, s.error, s.images, s.score.scored, s.score.passed]],
    ),
    '<h2>Error kinds</h2>',
    table(
      ['kind', 'count'],
      Object.entries(s.errorKinds).map(([k, n]) => [k, n ?? 0]),
    ),
    '<h2>Latency</h2>',
    table(
      ['p50 ms', 'p95 ms', 'max ms'],
      [
        [
          Math.round(latencyPercentile(s, 0.5)),
          Math.round(latencyPercentile(s, 0.95)),
          s.latency.maxMs,
        ],
      ],
    ),
    '<h2>Code runs</h2>',
    table(
      ['outcome', 'count'],
      Object.entries(s.codeRuns).map(([k, n]) => [k, n ?? 0]),
    ),
    '<h2>Tokens</h2>',
    table(
      ['prompt', 'cached', 'candidates', 'tool use', 'thoughts', 'total'],
      [
        [
          s.tokens.promptTokens,
          s.tokens.cachedTokens,
          s.tokens.candidatesTokens,
          s.tokens.toolUsePromptTokens,
          s.tokens.thoughtsTokens,
          s.tokens.totalTokens,
        ],
      ],
    ),
    `<h2>First ${REPORT_ERRORS} errors</h2>`,
    table(
      ['line', 'id', 'kind', 'message'],
      input.errors.slice(0, REPORT_ERRORS).map((e) => [e.line, e.id, e.kind, e.message]),
    ),
  ];
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>Sluice ${escapeHtml(input.jobId)}</title>`,
    '<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}</style>',
    '</head><body>',
    ...sections,
    '</body></html>',
    '',
  ].join('\n');
}
