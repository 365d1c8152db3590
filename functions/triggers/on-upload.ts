/**
 * onUpload: `inputs/<name>.jsonl` written → plan a job (id from bucket/name#generation), with
 * options from an optional sidecar `inputs/<name>.job.json` (upload the sidecar first).
 * Decode → planJob → answer; see respond.ts for the ack/redeliver mapping.
 */
import { jobIdForUpload, jobPrefix } from '../pipeline/job-id.ts';
import { parseJobSpec } from '../pipeline/job-spec.ts';
import { planJob } from '../pipeline/plan-job.ts';
import type { BlobStore } from '../pipeline/ports.ts';
import type { InputRef, JobOptions } from '../pipeline/types.ts';
import { assertAllowed } from '../app/input-allow-list.ts';
import { parseText } from './decode-body.ts';
import { decodeStorage } from './decode-storage.ts';
import { pubsubTrigger, reject } from './respond.ts';
import { specOptions } from './spec-options.ts';

/** Why an object name does not start a job, or undefined when it does. */
export function uploadSkipReason(name: string): string | undefined {
  if (!name.startsWith('inputs/')) return `object "${name}" is not under inputs/`;
  if (name.endsWith('.job.json')) return `object "${name}" is a sidecar (options), not an input`;
  if (!name.endsWith('.jsonl')) return `object "${name}" is not a .jsonl prompt file`;
  return undefined;
}

/** Sidecar name of an input: `inputs/a.jsonl` → `inputs/a.job.json`. */
export function sidecarName(name: string): string {
  return name.replace(/\.jsonl$/, '.job.json');
}

export const onUpload = pubsubTrigger('onUpload', async ({ app, deps, logger, req, signal }) => {
  const event = decodeStorage(req.headers, req.body);
  if (event.eventType !== 'OBJECT_FINALIZE')
    reject(`event ${event.eventType} does not start a job`);
  const skip = uploadSkipReason(event.name);
  if (skip !== undefined) reject(skip);
  assertAllowed(app.config, event.bucket);
  const input: InputRef = { bucket: event.bucket, name: event.name, generation: event.generation };
  const store = deps.inputStore(event.bucket);
  const options = await sidecarOptions(store, event.name, app.config.jobDefaults, signal);
  const jobId = await jobIdForUpload(input);
  const prefix = jobPrefix(jobId);
  const log = logger.child({ jobId });
  const planned = await planJob(
    { ...deps, logger: log },
    { jobId, input, prefix, options },
    signal,
  );
  return {
    jobId,
    prefix,
    batches: planned.manifest.batches.length,
    published: planned.published,
    created: planned.created,
  };
});

async function sidecarOptions(
  store: BlobStore,
  name: string,
  defaults: Partial<JobOptions>,
  signal: AbortSignal,
): Promise<JobOptions> {
  const sidecar = sidecarName(name);
  const bytes = await store.readSmall(sidecar, signal);
  const raw = bytes === undefined ? {} : parseText(new TextDecoder().decode(bytes), sidecar);
  return specOptions(parseJobSpec(raw, { sidecar: true }), defaults);
}
