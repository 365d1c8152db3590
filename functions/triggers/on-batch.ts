/**
 * onBatch: one batch pointer → runBatch with the push's `deliveryAttempt` (1 when the envelope
 * has none), so the last allowed delivery turns unfinished lines into error results instead of
 * looping. Decode → runBatch → answer (respond.ts).
 */
import { jobPrefix } from '../pipeline/job-id.ts';
import { runBatch } from '../pipeline/run-batch.ts';
import { decodePubSub } from './decode-pubsub.ts';
import { messageJson, parseBatchMessage } from './decode-message.ts';
import { pubsubTrigger, reject } from './respond.ts';

/** Time after the batch deadline for in-flight prompts, the final write and the finish step. */
const FINISH_GRACE_MS = 60_000;

export const onBatch = pubsubTrigger(
  'onBatch',
  async ({ app, deps, logger, req, signal }) => {
    const delivery = decodePubSub(req.headers, req.body);
    const message = parseBatchMessage(messageJson(delivery));
    if (message.prefix !== jobPrefix(message.jobId)) {
      reject(`batch message: prefix "${message.prefix}" is not ${jobPrefix(message.jobId)}`);
    }
    const deliveryAttempt = delivery.deliveryAttempt ?? 1;
    const log = logger.child({ jobId: message.jobId, batch: message.batch });
    const outcome = await runBatch({ ...deps, logger: log }, message, {
      deliveryAttempt,
      maxDeliveries: app.config.maxDeliveries,
      deadlineMs: app.config.batchDeadlineMs,
      signal,
    });
    return { jobId: message.jobId, batch: message.batch, deliveryAttempt, ...outcome };
  },
  { timeoutMs: (app) => app.config.batchDeadlineMs + FINISH_GRACE_MS },
);
