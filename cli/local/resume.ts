/**
 * Resuming a local run. In the cloud, Pub/Sub keeps a batch message until a delivery acks it, so
 * a re-planned job needs nothing new. The in-process queue dies with the process, so a re-run of
 * `sluice run` into the same folder publishes again every batch that has not finished; the batch
 * runner resumes each from its checkpoints and runs only the missing prompts.
 */
import { batchNames } from '../../functions/pipeline/batch-names.ts';
import { finishIfComplete } from '../../functions/pipeline/finish-job.ts';
import { batchMessage } from '../../functions/pipeline/plan-job.ts';
import type { PipelineDeps } from '../../functions/pipeline/ports.ts';
import type { Json, Manifest } from '../../functions/pipeline/types.ts';

/** Republishes unfinished batches; returns how many. Finishes the job if none is left. */
export async function resumeUnfinished(
  deps: PipelineDeps,
  manifest: Manifest,
  signal: AbortSignal,
): Promise<number> {
  let published = 0;
  for (const plan of manifest.batches) {
    if (
      (await deps.store.stat(batchNames(manifest.prefix, plan.index).stats, signal)) !== undefined
    )
      continue;
    const data = batchMessage(manifest, plan) as unknown as Json;
    await deps.queue.publish(deps.topics.batches, { data }, signal);
    published += 1;
  }
  // Every batch done but the finisher was cut off: finish now (it writes each output once).
  if (published === 0) await finishIfComplete(deps, manifest, signal);
  return published;
}
