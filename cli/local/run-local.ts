/**
 * `sluice run` without a cloud: the same plan → run batch → finish job functions the Cloud
 * Functions call, wired to a local folder (fs blob store) and the in-process queue. Re-running
 * the same command into the same output folder resumes: finished batches and checkpoints are
 * kept, and only what is missing runs.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { createFsBlobStore } from '../../functions/adapters/fs/blob-store.ts';
import { createMemoryQueue, type Delivery } from '../../functions/adapters/memory/queue.ts';
import { systemClock } from '../../functions/adapters/system/clock.ts';
import { mathRandom } from '../../functions/adapters/system/random.ts';
import { InvalidMessageError } from '../../functions/pipeline/errors.ts';
import { jobIdForSpec } from '../../functions/pipeline/job-id.ts';
import { planJob } from '../../functions/pipeline/plan-job.ts';
import type { Logger, ModelClient, PipelineDeps } from '../../functions/pipeline/ports.ts';
import { runBatch } from '../../functions/pipeline/run-batch.ts';
import { resumeUnfinished } from './resume.ts';
import type { SummaryReport } from '../../functions/pipeline/summary.ts';
import type {
  BatchMessage,
  JobOptions,
  Manifest,
  ResultRecord,
} from '../../functions/pipeline/types.ts';

export interface LocalRunRequest {
  file: string;
  outDir: string;
  options: JobOptions;
  model: ModelClient;
  logger: Logger;
  signal: AbortSignal;
  /** Deliveries of one batch before its unfinished lines become error results. */
  maxDeliveries?: number;
  onPlanned?: (manifest: Manifest) => void;
  onResult?: (result: ResultRecord) => void;
}

export interface LocalRunOutcome {
  manifest: Manifest;
  report: SummaryReport;
  resultsPath: string;
  summaryPath: string;
}

const LOCAL_BUCKET = 'local';
const TOPICS = { batches: 'batches', jobEvents: 'job-events' };
/** Local runs have no function timeout; a day bounds a delivery so no wait is unbounded. */
const LOCAL_BATCH_DEADLINE_MS = 24 * 60 * 60 * 1000;

export async function runLocal(request: LocalRunRequest): Promise<LocalRunOutcome> {
  const file = resolve(request.file);
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new InvalidMessageError(`input file not found: ${file}`);
  const outDir = resolve(request.outDir);
  const inputStore = createFsBlobStore(dirname(file));
  const store = createFsBlobStore(outDir);
  const maxDeliveries = request.maxDeliveries ?? 5;
  const queue = createMemoryQueue({ maxDeliveries, redeliveryDelayMs: 100 });
  const deps: PipelineDeps = {
    store,
    inputStore: (bucket) => {
      if (bucket !== LOCAL_BUCKET) throw new InvalidMessageError(`bucket "${bucket}" is not local`);
      return inputStore;
    },
    queue,
    topics: TOPICS,
    model: request.model,
    clock: systemClock,
    random: mathRandom,
    logger: request.logger,
  };
  // The job id covers the file's identity and the options, so a changed file or option is a
  // new job and never mixes with checkpoints of an old one.
  const jobId = await jobIdForSpec({
    file,
    size: info.size,
    mtimeMs: info.mtimeMs,
    options: request.options,
  });
  await refuseForeignOutput(deps, jobId, outDir, request.signal);

  const unsubscribe = queue.subscribe(TOPICS.batches, async (delivery: Delivery, signal) => {
    const message = delivery.data as unknown as BatchMessage;
    await runBatch(deps, message, {
      deliveryAttempt: delivery.deliveryAttempt,
      maxDeliveries,
      deadlineMs: LOCAL_BATCH_DEADLINE_MS,
      signal: AbortSignal.any([signal, request.signal]),
      onResult: request.onResult,
    });
  });
  try {
    const input = { bucket: LOCAL_BUCKET, name: basename(file) };
    const { manifest, published } = await planJob(
      deps,
      { jobId, input, prefix: '', options: request.options },
      request.signal,
    );
    request.onPlanned?.(manifest);
    // Already planned by an earlier run: its in-process messages died with it.
    if (published === 0) await resumeUnfinished(deps, manifest, request.signal);
    await queue.idle(request.signal);
    const raw = await store.readSmall('summary.json', request.signal);
    if (!raw) {
      const dead = queue.deadLetters().length;
      throw new Error(
        `the job did not finish: ${dead} batch message(s) were dead-lettered after ${maxDeliveries} deliveries; ` +
          `see the log above, then re-run the same command to resume`,
      );
    }
    const report = JSON.parse(new TextDecoder().decode(raw)) as SummaryReport;
    return {
      manifest,
      report,
      resultsPath: resolve(outDir, 'results.jsonl'),
      summaryPath: resolve(outDir, 'summary.json'),
    };
  } finally {
    unsubscribe();
  }
}

async function refuseForeignOutput(
  deps: PipelineDeps,
  jobId: string,
  outDir: string,
  signal: AbortSignal,
): Promise<void> {
  const raw = await deps.store.readSmall('manifest.json', signal);
  if (!raw) return;
  const existing = JSON.parse(new TextDecoder().decode(raw)) as Partial<Manifest>;
  if (existing.jobId !== jobId) {
    throw new InvalidMessageError(
      `the output folder ${outDir} holds another job (${existing.jobId ?? 'unknown'}); ` +
        'choose a new --out folder or delete this one',
    );
  }
}
