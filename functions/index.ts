/**
 * Registers the four Cloud Functions with the functions framework, all as HTTP functions: the
 * Pub/Sub-driven ones are fed by our own push subscriptions (dead-letter policy, 600 s ack
 * deadline, backoff; see infra/pubsub.tf), whose raw push body carries `deliveryAttempt`, which
 * the framework's CloudEvent conversion would drop. Each decoder also accepts Eventarc events.
 */
import * as functions from '@google-cloud/functions-framework';
import { jobStatusHandler } from './triggers/job-status.ts';
import { onBatch } from './triggers/on-batch.ts';
import { onJob } from './triggers/on-job.ts';
import { onUpload } from './triggers/on-upload.ts';

functions.http('onUpload', onUpload);
functions.http('onJob', onJob);
functions.http('onBatch', onBatch);
functions.http('jobStatus', jobStatusHandler);

export { setAppFactory, type App, type AppFactory } from './app/runtime.ts';
