/**
 * Finishes a job once every batch has its final and stats: composes the finals in batch order
 * into `results.jsonl`, merges the per-batch stats into `summary.json` (never re-reading results),
 * writes `report.html`, then publishes one JobDoneEvent.
 *
 * Safe to run by several batches at once and after crashes: `results.jsonl`, `summary.json` and
 * `report.html` are each written once (ifGenerationMatch 0, DESIGN promise 2; a loser's 412 means
 * a racing finisher already wrote the same content), and only the writer that wins `done.json`
 * publishes the event. Accepted crash window: a crash
 * after `done.json` is written but before the publish loses the event (at-most-once), never the
 * results: they are complete before `done.json` exists, and `sluice status` reports the job done.
 * The opposite order (publish, then mark) would double the event whenever two batches finish
 * together, which is the common case, not the crash case.
 */
import { batchNames, jobNames, statsIndex } from './batch-names.ts';
import { PreconditionFailedError } from './errors.ts';
import type { BatchStats, ErrorBrief } from './ledger.ts';
import type { PipelineDeps } from './ports.ts';
import { renderReport, REPORT_ERRORS } from './report-html.ts';
import { readJson, toJson, writeOnce } from './store-io.ts';
import { emptySummary, mergeSummaries, summaryReport } from './summary.ts';
import type { JobDoneEvent, Manifest } from './types.ts';

export interface FinishOutcome {
  finished: boolean;
  /** Present only for the one call that won `done.json` and published the event. */
  event?: JobDoneEvent;
}

export async function finishJob(
  deps: PipelineDeps,
  manifest: Manifest,
  signal: AbortSignal,
): Promise<FinishOutcome> {
  const names = jobNames(manifest.prefix);
  if ((await deps.store.stat(names.done, signal)) !== undefined) return { finished: true };

  const summary = emptySummary();
  const errors: ErrorBrief[] = [];
  for (const plan of manifest.batches) {
    const stats = await readJson<BatchStats>(
      deps.store,
      batchNames(manifest.prefix, plan.index).stats,
      signal,
    );
    if (stats === undefined) return { finished: false };
    mergeSummaries(summary, stats.summary);
    if (errors.length < REPORT_ERRORS)
      errors.push(...stats.errors.slice(0, REPORT_ERRORS - errors.length));
  }

  const finals = manifest.batches.map((plan) => batchNames(manifest.prefix, plan.index).final);
  await onceOnly(
    deps.store.compose(finals, names.results, {
      ifGenerationMatch: 0,
      contentType: 'application/x-ndjson',
      signal,
    }),
  );
  const finishedAt = new Date(deps.clock.now()).toISOString();
  const report = summaryReport(summary, {
    jobId: manifest.jobId,
    model: manifest.options.model,
    createdAt: manifest.createdAt,
    finishedAt,
  });
  await writeOnce(
    deps.store,
    names.summary,
    JSON.stringify(report, null, 2),
    'application/json',
    signal,
  );
  const html = renderReport({
    jobId: manifest.jobId,
    model: manifest.options.model,
    finishedAt,
    summary,
    errors,
  });
  await writeOnce(deps.store, names.report, html, 'text/html; charset=utf-8', signal);

  const event: JobDoneEvent = {
    type: 'job.done',
    jobId: manifest.jobId,
    prefix: manifest.prefix,
    results: names.results,
    summary: names.summary,
    counts: { total: summary.total, ok: summary.ok, error: summary.error },
  };
  const won = await writeOnce(
    deps.store,
    names.done,
    JSON.stringify({ ...event, finishedAt }),
    'application/json',
    signal,
  );
  if (!won) return { finished: true };
  try {
    await deps.queue.publish(
      deps.topics.jobEvents,
      { data: toJson(event), attributes: { jobId: manifest.jobId } },
      signal,
    );
  } catch (error) {
    // A failed publish (not a crash) must not lose the event: drop the marker so the redelivery
    // of the batch that called us finishes again and publishes.
    await deps.store.delete(names.done, signal).catch(() => undefined);
    throw error;
  }
  deps.logger.info('job finished', { jobId: manifest.jobId, ...event.counts });
  return { finished: true, event };
}

/**
 * Called by a batch after it finalized: one listing of `batches/` tells whether every batch has
 * its stats; if so, finishes the job. Returns whether the job is finished.
 */
export async function finishIfComplete(
  deps: PipelineDeps,
  manifest: Manifest,
  signal: AbortSignal,
): Promise<boolean> {
  const { batchesDir } = jobNames(manifest.prefix);
  const done = new Set<number>();
  for await (const info of deps.store.list(batchesDir, signal)) {
    const index = statsIndex(batchesDir, info.name);
    if (index !== undefined) done.add(index);
  }
  if (!manifest.batches.every((plan) => done.has(plan.index))) return false;
  return (await finishJob(deps, manifest, signal)).finished;
}

/** A create-once write that lost the race: the winner wrote the same deterministic content. */
async function onceOnly(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
  }
}
