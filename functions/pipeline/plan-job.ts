/**
 * Plans a job: streams the input once, cuts it into batches at line boundaries, writes the
 * manifest once, publishes one pointer message per batch, then marks the job planned.
 *
 * Idempotent (DESIGN promise 2): `planned.json` present → nothing new; manifest present but not
 * `planned.json` (a crash between) → the batch messages are published again, which is harmless
 * because batches are idempotent. Memory is flat in the input size: lines are streamed and only
 * the id registry (to find duplicate ids) and the list of batch ranges grow.
 */
import { jobNames } from './batch-names.ts';
import { InvalidMessageError, PreconditionFailedError } from './errors.ts';
import { createIdRegistry } from './id-registry.ts';
import { peekId } from './input-line.ts';
import { readLines } from './jsonl-reader.ts';
import type { PipelineDeps } from './ports.ts';
import { readJson, toJson, writeOnce } from './store-io.ts';
import type { BatchMessage, BatchPlan, InputRef, JobOptions, Manifest } from './types.ts';

export interface PlanRequest {
  jobId: string;
  input: InputRef;
  prefix: string;
  options: JobOptions;
}

export interface PlanOutcome {
  manifest: Manifest;
  /** Batch messages published by this call (0 when the job was already planned). */
  published: number;
  /** True when this call wrote the manifest. */
  created: boolean;
}

/** Publishes in windows so a huge job never holds thousands of unsettled promises. */
const PUBLISH_WINDOW = 100;

/**
 * Plans `request.input` under `request.prefix`. `manifest.totalLines` counts prompt lines (every
 * non-blank line), i.e. the number of results the job will produce.
 */
export async function planJob(
  deps: PipelineDeps,
  request: PlanRequest,
  signal: AbortSignal,
): Promise<PlanOutcome> {
  const names = jobNames(request.prefix);
  const existing = await readJson<Manifest>(deps.store, names.manifest, signal);
  if (existing !== undefined && (await deps.store.stat(names.planned, signal)) !== undefined) {
    return { manifest: existing, published: 0, created: false };
  }
  let manifest = existing;
  let created = false;
  if (manifest === undefined) {
    const fresh = await scanInput(deps, request, signal);
    try {
      await deps.store.write(names.manifest, JSON.stringify(fresh), {
        ifGenerationMatch: 0,
        contentType: 'application/json',
        signal,
      });
      manifest = fresh;
      created = true;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      // A concurrent planner of the same job won: adopt its manifest (same input, same cuts).
      manifest = await readJson<Manifest>(deps.store, names.manifest, signal);
      if (manifest === undefined) {
        throw new Error(`${names.manifest}: 412 on create, then absent`, { cause: error });
      }
    }
  }
  const published = await publishBatches(deps, manifest, signal);
  await writeOnce(
    deps.store,
    names.planned,
    JSON.stringify({ jobId: manifest.jobId, batches: manifest.batches.length }),
    'application/json',
    signal,
  );
  deps.logger.info('job planned', {
    jobId: manifest.jobId,
    batches: manifest.batches.length,
    published,
    created,
  });
  return { manifest, published, created };
}

async function scanInput(
  deps: PipelineDeps,
  request: PlanRequest,
  signal: AbortSignal,
): Promise<Manifest> {
  const { input, options } = request;
  if (!Number.isInteger(options.batchLines) || options.batchLines < 1) {
    throw new InvalidMessageError(
      `options.batchLines: must be a positive integer, got ${options.batchLines}`,
    );
  }
  const source = deps.inputStore(input.bucket);
  let generation = input.generation;
  if (generation === undefined) {
    const info = await source.stat(input.name, signal);
    if (info === undefined) {
      throw new InvalidMessageError(
        `input gs://${input.bucket}/${input.name}: no such object; upload it first`,
      );
    }
    generation = info.generation; // pin it: a re-upload must not change a running job
  }
  const pinned: InputRef = { bucket: input.bucket, name: input.name, generation };
  const chunks = source.read(input.name, { generation, signal });
  const registry = createIdRegistry();
  const batches: BatchPlan[] = [];
  let current: BatchPlan | undefined;
  let offset = 0;
  let promptLines = 0;
  for await (const raw of readLines(chunks, { firstLine: 1, maxLineBytes: options.maxLineBytes })) {
    if (
      current !== undefined &&
      (current.lines >= options.batchLines ||
        current.end - current.start + raw.bytes > options.batchBytes)
    ) {
      batches.push(current);
      current = undefined;
    }
    current ??= {
      index: batches.length,
      start: offset,
      end: offset,
      firstLine: raw.line,
      lines: 0,
    };
    current.lines += 1;
    current.end += raw.bytes;
    offset += raw.bytes;
    if (raw.kind === 'text' && raw.text.trim() === '') continue; // blank: no result
    promptLines += 1;
    const id = peekId(raw);
    const firstLine = registry.claim(id, raw.line);
    if (firstLine !== undefined)
      (current.duplicates ??= []).push({ line: raw.line, id, firstLine });
  }
  if (current !== undefined) batches.push(current);
  // An empty input still gets one (empty) batch, so it finishes through the normal path.
  if (batches.length === 0) batches.push({ index: 0, start: 0, end: 0, firstLine: 1, lines: 0 });
  return {
    jobId: request.jobId,
    input: { ...pinned, size: offset },
    prefix: request.prefix,
    options,
    batches,
    totalLines: promptLines,
    createdAt: new Date(deps.clock.now()).toISOString(),
  };
}

/** The pointer message of one batch (never the prompts: Eventarc caps events at 512 KB). */
export function batchMessage(manifest: Manifest, plan: BatchPlan): BatchMessage {
  const { size: _size, ...input } = manifest.input;
  return {
    jobId: manifest.jobId,
    prefix: manifest.prefix,
    batch: plan.index,
    input,
    start: plan.start,
    end: plan.end,
    firstLine: plan.firstLine,
  };
}

async function publishBatches(
  deps: PipelineDeps,
  manifest: Manifest,
  signal: AbortSignal,
): Promise<number> {
  let published = 0;
  for (let i = 0; i < manifest.batches.length; i += PUBLISH_WINDOW) {
    const window = manifest.batches.slice(i, i + PUBLISH_WINDOW);
    await Promise.all(
      window.map((plan) =>
        deps.queue.publish(
          deps.topics.batches,
          {
            data: toJson(batchMessage(manifest, plan)),
            attributes: { jobId: manifest.jobId, batch: String(plan.index) },
          },
          signal,
        ),
      ),
    );
    published += window.length;
  }
  return published;
}
