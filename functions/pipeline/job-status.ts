/**
 * Progress of a job from its small files only (manifest, markers, per-batch stats): what
 * `sluice status` and operators read. Cost is one listing of `batches/` plus one small read per
 * finished batch; results are never read.
 */
import { batchNames, jobNames, statsIndex } from './batch-names.ts';
import type { BatchStats, ErrorBrief } from './ledger.ts';
import type { PipelineDeps } from './ports.ts';
import { readJson } from './store-io.ts';
import type { ErrorKind, Manifest } from './types.ts';

/** Errors listed in a status (the last ones found, in line order). */
export const STATUS_ERRORS = 20;

export interface JobStatus {
  jobId: string;
  state: 'planning' | 'running' | 'done';
  batchesDone: number;
  batchesTotal: number;
  /** `total` = prompt lines of the input; `pending` = not yet in a finished batch. */
  counts: { total: number; ok: number; error: number; pending: number };
  errorKinds: Partial<Record<ErrorKind, number>>;
  latestErrors: ErrorBrief[];
}

/** Status of the job under `prefix`, or undefined when no manifest exists there. */
export async function jobStatus(
  deps: Pick<PipelineDeps, 'store'>,
  prefix: string,
  signal: AbortSignal,
): Promise<JobStatus | undefined> {
  const names = jobNames(prefix);
  const manifest = await readJson<Manifest>(deps.store, names.manifest, signal);
  if (manifest === undefined) return undefined;
  const planned = (await deps.store.stat(names.planned, signal)) !== undefined;
  const done = (await deps.store.stat(names.done, signal)) !== undefined;

  const finished: number[] = [];
  for await (const info of deps.store.list(names.batchesDir, signal)) {
    const index = statsIndex(names.batchesDir, info.name);
    if (index !== undefined) finished.push(index);
  }
  finished.sort((a, b) => a - b);
  let ok = 0;
  let error = 0;
  const errorKinds: Partial<Record<ErrorKind, number>> = {};
  let errors: ErrorBrief[] = [];
  for (const index of finished) {
    const stats = await readJson<BatchStats>(deps.store, batchNames(prefix, index).stats, signal);
    if (stats === undefined) continue;
    ok += stats.summary.ok;
    error += stats.summary.error;
    for (const [kind, n] of Object.entries(stats.summary.errorKinds) as Array<
      [ErrorKind, number]
    >) {
      errorKinds[kind] = (errorKinds[kind] ?? 0) + n;
    }
    errors = [...errors, ...stats.errors].slice(-STATUS_ERRORS);
  }
  const total = manifest.totalLines;
  return {
    jobId: manifest.jobId,
    state: done ? 'done' : planned ? 'running' : 'planning',
    batchesDone: finished.length,
    batchesTotal: manifest.batches.length,
    counts: { total, ok, error, pending: Math.max(0, total - ok - error) },
    errorKinds,
    latestErrors: errors,
  };
}
