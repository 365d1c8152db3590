/**
 * Runs one batch delivery (see ledger.ts for why the result is exactly one record per line).
 *
 * 1. The final exists → 'already-done' (stats repaired if a crash cut them off; finish checked).
 * 2. `deliveryAttempt >= maxDeliveries` → no model calls: every missing line gets an error result
 *    of kind 'deadline' and the batch is finalized, so a poison batch still lets the job finish.
 * 3. Otherwise take the lease (or wait for it, up to the deadline), read the ledger, run only the
 *    missing lines, checkpoint, and finalize when every line has a record.
 *
 * Deadline: this returns 'continued' after publishing the same BatchMessage again, rather than
 * throwing. A throw would make Pub/Sub count a delivery attempt and back off (10 s→600 s), so a
 * long but healthy batch would march into the dead-letter path. To keep it bounded, a
 * continuation is only published when this delivery recorded at least one new result (or was
 * waiting on a live lease holder); a delivery that made no progress throws and is counted.
 * Storage failures throw too (redelivery; nothing written is lost, the ledger resumes).
 */
import { batchNames } from './batch-names.ts';
import { runBatchWork } from './batch-work.ts';
import { InvalidMessageError } from './errors.ts';
import { finishIfComplete } from './finish-job.ts';
import { createCheckpointWriter, ensureStats, finalizeBatch, readLedger } from './ledger.ts';
import { startHeartbeat, type Lease } from './lease.ts';
import { awaitLease } from './lease-wait.ts';
import type { PipelineDeps } from './ports.ts';
import { readJson, toJson } from './store-io.ts';
import type { BatchMessage, Manifest, ResultRecord } from './types.ts';

export interface RunBatchOptions {
  deliveryAttempt: number;
  maxDeliveries: number;
  /** Stop starting prompts after this many ms from now. */
  deadlineMs: number;
  signal: AbortSignal;
  onResult?: (result: ResultRecord) => void;
  /** Results per ledger chunk, default 25. */
  checkpointEvery?: number;
  /** How long in-flight prompts may run past the deadline before they are aborted, default 30 s. */
  graceMs?: number;
}

export type RunBatchOutcome = {
  status: 'finalized' | 'already-done' | 'continued';
  /** Results recorded by this delivery. */
  results: number;
  jobFinished: boolean;
};

/** Lease time-to-live; renewed every third of it while the delivery runs. */
export const LEASE_TTL_MS = 60_000;

export async function runBatch(
  deps: PipelineDeps,
  message: BatchMessage,
  options: RunBatchOptions,
): Promise<RunBatchOutcome> {
  const { signal } = options;
  const names = batchNames(message.prefix, message.batch);
  if ((await deps.store.stat(names.final, signal)) !== undefined)
    return alreadyDone(deps, message, signal);
  const manifest = await loadManifest(deps, message, signal);
  const plan = manifest.batches[message.batch];
  if (plan === undefined)
    throw new InvalidMessageError(`batch ${message.batch}: not in the manifest`);

  const deadlineAt = deps.clock.now() + options.deadlineMs;
  const token = `${String(deps.clock.now()).padStart(13, '0')}-${Math.floor(
    deps.random() * 0x1_0000_0000,
  )
    .toString(16)
    .padStart(8, '0')}`;
  const giveUp = options.deliveryAttempt >= options.maxDeliveries;
  const background = new AbortController();
  let lease: Lease | undefined;
  try {
    if (!giveUp) {
      const waited = await awaitLease(deps, names, token, LEASE_TTL_MS, deadlineAt, signal);
      if (waited.kind === 'done') return await alreadyDone(deps, message, signal);
      if (waited.kind === 'deadline') {
        await publishContinuation(deps, message, signal);
        return { status: 'continued', results: 0, jobFinished: false };
      }
      lease = waited.lease;
      void startHeartbeat(lease, deps.clock, LEASE_TTL_MS / 3, background.signal);
    }
    const finished = await readLedger(deps.store, names, signal);
    const work = new AbortController();
    const onOuter = (): void => work.abort(signal.reason);
    signal.addEventListener('abort', onOuter, { once: true });
    const writer = createCheckpointWriter(
      deps.store,
      names,
      token,
      options.checkpointEvery ?? 25,
      signal,
      (e) => work.abort(e),
    );
    const outcome = await runBatchWork(deps, manifest, plan, message, {
      finished: new Set(finished.keys()),
      writer,
      deadlineAt,
      graceMs: options.graceMs ?? 30_000,
      giveUp: giveUp
        ? { message: `batch gave up after ${options.deliveryAttempt} deliveries` }
        : undefined,
      signal: work.signal,
      onResult: options.onResult,
    }).finally(() => signal.removeEventListener('abort', onOuter));
    signal.throwIfAborted(); // killed: whatever was checkpointed stays; a redelivery resumes
    await writer.flush(); // throws the first chunk-write failure → redelivery

    const ledger = await readLedger(deps.store, names, signal); // includes concurrent deliveries
    const records = [...outcome.expected].map((line) => ledger.get(line));
    if (records.every((r): r is ResultRecord => r !== undefined)) {
      await finalizeBatch(deps.store, names, message.batch, records, signal);
      const jobFinished = await finishIfComplete(deps, manifest, signal);
      return { status: 'finalized', results: writer.count, jobFinished };
    }
    if (writer.count === 0) {
      throw new Error(`batch ${message.batch}: no prompt finished before the deadline; redeliver`);
    }
    await publishContinuation(deps, message, signal);
    deps.logger.info('batch continued', {
      jobId: message.jobId,
      batch: message.batch,
      results: writer.count,
    });
    return { status: 'continued', results: writer.count, jobFinished: false };
  } finally {
    background.abort();
    if (lease !== undefined) await lease.release(AbortSignal.timeout(5_000));
  }
}

async function alreadyDone(
  deps: PipelineDeps,
  message: BatchMessage,
  signal: AbortSignal,
): Promise<RunBatchOutcome> {
  await ensureStats(deps.store, batchNames(message.prefix, message.batch), message.batch, signal);
  const manifest = await loadManifest(deps, message, signal);
  return {
    status: 'already-done',
    results: 0,
    jobFinished: await finishIfComplete(deps, manifest, signal),
  };
}

async function loadManifest(
  deps: PipelineDeps,
  message: BatchMessage,
  signal: AbortSignal,
): Promise<Manifest> {
  const manifest = await readJson<Manifest>(deps.store, `${message.prefix}manifest.json`, signal);
  if (manifest === undefined) {
    throw new InvalidMessageError(
      `job ${message.jobId}: no manifest under "${message.prefix}"; plan the job first`,
    );
  }
  const plan = manifest.batches[message.batch];
  if (plan !== undefined && (plan.start !== message.start || plan.end !== message.end)) {
    throw new InvalidMessageError(`batch ${message.batch}: byte range differs from the manifest's`);
  }
  return manifest;
}

/** The same BatchMessage again: the next delivery resumes from the ledger. */
async function publishContinuation(
  deps: PipelineDeps,
  message: BatchMessage,
  signal: AbortSignal,
): Promise<void> {
  await deps.queue.publish(
    deps.topics.batches,
    {
      data: toJson(message),
      attributes: { jobId: message.jobId, batch: String(message.batch), continuation: '1' },
    },
    signal,
  );
}
