/**
 * One delivery's work on a batch: streams the batch's byte range, skips lines the ledger already
 * has, turns blanks/invalid lines/duplicates into results without the model, and runs the rest
 * under the limiter until the deadline. Every finished record goes to the checkpoint writer.
 *
 * Stopping: no prompt STARTS after `deadlineAt`; prompts in flight get `graceMs` more, then are
 * aborted and their (aborted) outcomes are dropped, never recorded: the line stays missing and a
 * later delivery runs it. The same applies when the caller's signal aborts (the worker is killed).
 */
import { after, BatchDeadlineError } from './deadline.ts';
import { duplicateResult } from './id-registry.ts';
import { parseInputLine } from './input-line.ts';
import { readLines } from './jsonl-reader.ts';
import type { CheckpointWriter } from './ledger.ts';
import { createLimiter } from './limiter.ts';
import type { PipelineDeps } from './ports.ts';
import { buildResult, errorResult } from './result-record.ts';
import { runPrompt } from './run-prompt.ts';
import type { BatchMessage, BatchPlan, Manifest, Prompt, ResultRecord } from './types.ts';

export interface WorkOptions {
  /** Lines already finished (from the ledger): never run again. */
  finished: ReadonlySet<number>;
  writer: CheckpointWriter;
  /** Epoch ms after which no prompt starts. */
  deadlineAt: number;
  graceMs: number;
  /** Last delivery: do not call the model, record every missing prompt as an error. */
  giveUp: { message: string } | undefined;
  signal: AbortSignal;
  onResult?: (result: ResultRecord) => void;
}

export interface WorkOutcome {
  /** Lines of the batch that must have a result (every non-blank line). */
  expected: Set<number>;
  /** Prompts that were sent to the model by this delivery. */
  modelRuns: number;
}

/** Runs the missing lines of one batch; resolves when every started task has settled. */
export async function runBatchWork(
  deps: PipelineDeps,
  manifest: Manifest,
  plan: BatchPlan,
  message: BatchMessage,
  work: WorkOptions,
): Promise<WorkOutcome> {
  const { options } = manifest;
  const stop = new AbortController(); // aborts in-flight prompts
  const timers = new AbortController(); // cancels the grace timer when we are done
  const onOuterAbort = (): void => stop.abort(work.signal.reason);
  work.signal.addEventListener('abort', onOuterAbort, { once: true });
  if (work.signal.aborted) onOuterAbort();
  after(deps.clock, work.deadlineAt + work.graceMs - deps.clock.now(), timers.signal, () =>
    stop.abort(
      new BatchDeadlineError(`batch ${message.batch}: in-flight prompts passed the deadline grace`),
    ),
  );

  const duplicates = new Map((plan.duplicates ?? []).map((d) => [d.line, d]));
  const limiter = createLimiter(options.concurrency);
  const expected = new Set<number>();
  const tasks: Array<Promise<void>> = [];
  let modelRuns = 0;
  const record = (result: ResultRecord): void => {
    work.writer.add(result);
    work.onResult?.(result);
  };
  const mayStart = (): boolean =>
    !stop.signal.aborted && work.writer.failure === undefined && deps.clock.now() < work.deadlineAt;

  const runOne = async (prompt: Prompt): Promise<void> => {
    if (!mayStart()) return;
    modelRuns += 1;
    const outcome = await runPrompt(deps, prompt, options, stop.signal);
    if (stop.signal.aborted) return; // cut short by us: not a real result, a later delivery reruns it
    const { record: result, images } = buildResult(prompt, outcome);
    for (const image of images) {
      // Images first, so a checkpointed record never points at a missing file. Same name from
      // two deliveries: the last write wins, and either image belongs to that line.
      await deps.store.write(`${manifest.prefix}${image.file}`, image.data, {
        contentType: image.mimeType,
        signal: stop.signal,
      });
    }
    record(result);
  };

  try {
    const source = deps.inputStore(message.input.bucket);
    const chunks = source.read(message.input.name, {
      start: plan.start,
      end: plan.end,
      generation: message.input.generation,
      signal: stop.signal,
    });
    for await (const raw of readLines(chunks, {
      firstLine: plan.firstLine,
      maxLineBytes: options.maxLineBytes,
    })) {
      if (stop.signal.aborted || work.writer.failure !== undefined) break;
      const parsed = parseInputLine(raw, options);
      if (parsed.kind === 'blank') continue;
      expected.add(raw.line);
      if (work.finished.has(raw.line)) continue;
      const duplicate = duplicates.get(raw.line);
      if (duplicate !== undefined) {
        record(
          duplicateResult({ id: duplicate.id, line: raw.line }, duplicate.firstLine, options.model),
        );
      } else if (parsed.kind === 'invalid') {
        record(parsed.result);
      } else if (work.giveUp !== undefined) {
        const { id, line, model, metadata } = parsed.prompt;
        record(
          errorResult(
            { id, line, model, metadata },
            { kind: 'deadline', message: work.giveUp.message },
          ),
        );
      } else {
        const prompt = parsed.prompt;
        tasks.push(
          limiter
            .run(() => runOne(prompt))
            .catch((error: unknown) => {
              // Image write failed (or a bug): fail this delivery so it is redelivered.
              stop.abort(error);
            }),
        );
      }
    }
  } catch (error) {
    if (!stop.signal.aborted) throw error; // reading failed for real
  } finally {
    await Promise.all(tasks);
    timers.abort();
    work.signal.removeEventListener('abort', onOuterAbort);
  }
  if (
    stop.signal.aborted &&
    !(stop.signal.reason instanceof BatchDeadlineError) &&
    !work.signal.aborted
  ) {
    throw stop.signal.reason instanceof Error ? stop.signal.reason : new Error('batch work failed');
  }
  return { expected, modelRuns };
}
