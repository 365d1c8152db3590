/**
 * The batch ledger: how "exactly one result per input line" survives redelivery, crashes,
 * deadlines and two deliveries of one batch running at once (DESIGN promise 1).
 *
 * - Every delivery writes the results it finishes as checkpoint chunks
 *   `ledger/<batch>/ckpt/<token>-<seq>.jsonl`, each created once (ifGenerationMatch 0) under a
 *   name no other delivery uses. Chunks are never rewritten, so nothing a delivery wrote is lost.
 * - Reading the ledger keeps, for each line, the record of the FIRST chunk by name (tokens start
 *   with the delivery's start time, so the earliest delivery wins). Any reader given the same
 *   chunks picks the same records.
 * - Finalizing writes `batches/<batch>.jsonl` once (ifGenerationMatch 0). A concurrent loser gets
 *   412 and adopts the winner's file: both were complete, only one exists.
 * - Stats (`batches/<batch>.stats.json`) are always computed from the final's content, so whoever
 *   writes them writes the same thing; they are the "batch done" marker the finisher looks for.
 */
import { batchKey, ckptName, type BatchNames } from './batch-names.ts';
import type { BlobStore } from './ports.ts';
import { parseJsonl, readText, toJsonl, writeOnce } from './store-io.ts';
import { addResult, emptySummary } from './summary.ts';
import type { ErrorKind, ResultRecord, Summary } from './types.ts';

/** Errors kept per batch for the report and `sluice status` (the first ones, in line order). */
export const ERRORS_PER_BATCH = 50;

export interface ErrorBrief {
  id: string;
  line: number;
  kind: ErrorKind;
  message: string;
}

/** Contents of `batches/<batch>.stats.json`: small and mergeable. */
export interface BatchStats {
  batch: number;
  summary: Summary;
  errors: ErrorBrief[];
}

/** Finished records of a batch by line, first chunk (by name) wins. */
export async function readLedger(
  store: BlobStore,
  names: BatchNames,
  signal: AbortSignal,
): Promise<Map<number, ResultRecord>> {
  const byLine = new Map<number, ResultRecord>();
  for await (const info of store.list(names.ckptDir, signal)) {
    const text = await readText(store, info.name, signal);
    if (text === undefined) continue; // listed then deleted by an operator: nothing to keep
    for (const record of parseJsonl<ResultRecord>(text, info.name)) {
      if (!byLine.has(record.line)) byLine.set(record.line, record);
    }
  }
  return byLine;
}

export interface CheckpointWriter {
  /** Queues a finished record; a chunk is written every `every` records. */
  add(record: ResultRecord): void;
  /** Writes what is buffered and waits for every chunk write; rethrows the first write failure. */
  flush(): Promise<void>;
  /** Records accepted so far by this writer. */
  readonly count: number;
  /** The first chunk write failure, if any (the delivery must then fail and be redelivered). */
  readonly failure: Error | undefined;
}

/**
 * Buffers finished records and writes them as create-once chunks, one write at a time (so a
 * failure is seen before more work is buried behind it). `onFailure` lets the runner stop early.
 */
export function createCheckpointWriter(
  store: BlobStore,
  names: BatchNames,
  token: string,
  every: number,
  signal: AbortSignal,
  onFailure: (error: Error) => void,
): CheckpointWriter {
  let buffer: ResultRecord[] = [];
  let seq = 0;
  let count = 0;
  let failure: Error | undefined;
  let chain: Promise<void> = Promise.resolve();

  const writeChunk = (records: ResultRecord[]): void => {
    const name = ckptName(names, token, seq++);
    chain = chain.then(async () => {
      if (failure !== undefined) return;
      try {
        // A 412 here would mean our own earlier attempt landed: the content is the same.
        await writeOnce(store, name, toJsonl(records), 'application/x-ndjson', signal);
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
        onFailure(failure);
      }
    });
  };

  return {
    add(record) {
      count += 1;
      buffer.push(record);
      if (buffer.length >= every) {
        writeChunk(buffer);
        buffer = [];
      }
    },
    async flush() {
      if (buffer.length > 0) {
        writeChunk(buffer);
        buffer = [];
      }
      await chain;
      if (failure !== undefined) throw failure;
    },
    get count() {
      return count;
    },
    get failure() {
      return failure;
    },
  };
}

/** Summary and first errors of a batch's records (in line order). */
export function statsOf(batch: number, records: readonly ResultRecord[]): BatchStats {
  const summary = emptySummary();
  const errors: ErrorBrief[] = [];
  for (const record of records) {
    addResult(summary, record);
    if (
      record.status === 'error' &&
      record.error !== undefined &&
      errors.length < ERRORS_PER_BATCH
    ) {
      errors.push({
        id: record.id,
        line: record.line,
        kind: record.error.kind,
        message: record.error.message,
      });
    }
  }
  return { batch, summary, errors };
}

/** Writes the stats of an existing final if they are missing (crash between final and stats). */
export async function ensureStats(
  store: BlobStore,
  names: BatchNames,
  batch: number,
  signal: AbortSignal,
): Promise<void> {
  if ((await store.stat(names.stats, signal)) !== undefined) return;
  const text = await readText(store, names.final, signal);
  if (text === undefined) throw new Error(`${names.final}: vanished while writing its stats`);
  const stats = statsOf(batch, parseJsonl<ResultRecord>(text, names.final));
  await writeOnce(store, names.stats, JSON.stringify(stats), 'application/json', signal);
}

/**
 * Writes the batch final from complete records (one per expected line, any order), then its
 * stats. Returns whether this call's final won (false: another delivery's final already existed).
 */
export async function finalizeBatch(
  store: BlobStore,
  names: BatchNames,
  batch: number,
  records: readonly ResultRecord[],
  signal: AbortSignal,
): Promise<boolean> {
  const ordered = [...records].sort((a, b) => a.line - b.line);
  for (let i = 1; i < ordered.length; i++) {
    if (ordered[i]?.line === ordered[i - 1]?.line) {
      throw new Error(`batch ${batchKey(batch)}: two records for line ${ordered[i]?.line} (a bug)`);
    }
  }
  const won = await writeOnce(store, names.final, toJsonl(ordered), 'application/x-ndjson', signal);
  if (won) {
    await writeOnce(
      store,
      names.stats,
      JSON.stringify(statsOf(batch, ordered)),
      'application/json',
      signal,
    );
  } else {
    await ensureStats(store, names, batch, signal);
  }
  return won;
}
