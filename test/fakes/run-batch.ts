/** Delivery helpers for the runBatch tests: plan a job, then deliver its batches in order. */
import {
  runBatch,
  type RunBatchOptions,
  type RunBatchOutcome,
} from '../../functions/pipeline/run-batch.ts';
import type { BatchMessage, JobOptions } from '../../functions/pipeline/types.ts';
import type { QueueMessage } from '../../functions/pipeline/ports.ts';
import { batchMessages, deliveryOptions, planText, TOPICS, type Harness } from './pipeline.ts';

/** A first delivery of a batch (deadline far away) with `extra` on top. */
export function opts(extra: Partial<RunBatchOptions> = {}): RunBatchOptions {
  return deliveryOptions({ deadlineMs: 500_000, ...extra });
}

/** Stores `text` as the input, plans job j1 and returns the batch messages it published. */
export async function plan(
  h: Harness,
  text: string,
  options: Partial<JobOptions> = {},
): Promise<BatchMessage[]> {
  return (await planText(h, text, options)).messages;
}

/** Delivers every batch message (continuations included) in publish order. */
export async function drain(
  h: Harness,
  extra: Partial<RunBatchOptions> = {},
): Promise<RunBatchOutcome[]> {
  const outcomes: RunBatchOutcome[] = [];
  for (let i = 0; i < batchMessages(h.queue).length; i++) {
    const message = batchMessages(h.queue)[i];
    if (message) outcomes.push(await runBatch(h.deps, message, opts(extra)));
  }
  return outcomes;
}

/** The job events published so far (the done event, once the job finishes). */
export const events = (h: Harness): QueueMessage[] => h.queue.on(TOPICS.jobEvents);
