/**
 * Object names under a job prefix: the one place that knows the layout, so the planner, the batch
 * runner, the finisher, `sluice status` and the tests agree.
 *
 * ```
 * <prefix>manifest.json            the plan (written once, ifGenerationMatch 0)
 * <prefix>planned.json             every batch message was published (written once)
 * <prefix>batches/00000.jsonl      a batch's final results, in line order (written once)
 * <prefix>batches/00000.stats.json the batch's Summary + first errors (after the final)
 * <prefix>ledger/00000/ckpt/*.ckpt.jsonl checkpoint chunks of finished results (each written once)
 * <prefix>ledger/00000/lease.json  who is running the batch now (an optimisation only)
 * <prefix>results.jsonl            all batch finals composed in order
 * <prefix>summary.json, report.html, done.json
 * ```
 * The ledger lives outside `batches/` so that the finisher's single listing of `batches/` costs
 * O(batches), not O(checkpoint chunks).
 */

/** Zero-padded batch index, so names sort in batch order. */
export function batchKey(index: number): string {
  return String(index).padStart(5, '0');
}

export interface JobNames {
  manifest: string;
  planned: string;
  batchesDir: string;
  results: string;
  summary: string;
  report: string;
  done: string;
}

export function jobNames(prefix: string): JobNames {
  return {
    manifest: `${prefix}manifest.json`,
    planned: `${prefix}planned.json`,
    batchesDir: `${prefix}batches/`,
    results: `${prefix}results.jsonl`,
    summary: `${prefix}summary.json`,
    report: `${prefix}report.html`,
    done: `${prefix}done.json`,
  };
}

export interface BatchNames {
  final: string;
  stats: string;
  ckptDir: string;
  lease: string;
}

export function batchNames(prefix: string, index: number): BatchNames {
  const key = batchKey(index);
  return {
    final: `${prefix}batches/${key}.jsonl`,
    stats: `${prefix}batches/${key}.stats.json`,
    ckptDir: `${prefix}ledger/${key}/ckpt/`,
    lease: `${prefix}ledger/${key}/lease.json`,
  };
}

/** Checkpoint chunk name: delivery token first, so chunks sort by delivery start, then sequence. */
export function ckptName(names: BatchNames, token: string, seq: number): string {
  return `${names.ckptDir}${token}-${String(seq).padStart(5, '0')}.ckpt.jsonl`;
}

/** Index of a `batches/NNNNN.stats.json` name, or undefined for any other object. */
export function statsIndex(batchesDir: string, name: string): number | undefined {
  const match = /^(\d{5,})\.stats\.json$/.exec(name.slice(batchesDir.length));
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
