/**
 * onJob: a job message (a tool, CI, Cloud Scheduler) → plan the job. The id is the spec's
 * `jobId` or a hash of the spec; for scheduled runs (attribute `scheduledRun=true`) the UTC date
 * of the publish time is appended, so each night is a new job and a redelivery the same night is
 * the same job. Inline `prompts` are written once to `<prefix>input.jsonl` and planned from there.
 */
import { PreconditionFailedError } from '../pipeline/errors.ts';
import { jobIdForSpec, jobPrefix } from '../pipeline/job-id.ts';
import { parseInputUri, parseJobSpec } from '../pipeline/job-spec.ts';
import { planJob } from '../pipeline/plan-job.ts';
import type { PipelineDeps } from '../pipeline/ports.ts';
import type { InputRef, Json } from '../pipeline/types.ts';
import { assertAllowed } from '../app/input-allow-list.ts';
import type { CloudConfig } from '../app/config.ts';
import { decodePubSub, type PubSubDelivery } from './decode-pubsub.ts';
import { messageJson } from './decode-message.ts';
import { pubsubTrigger, reject } from './respond.ts';
import { specOptions } from './spec-options.ts';

export const onJob = pubsubTrigger('onJob', async ({ app, deps, logger, req, signal }) => {
  const delivery = decodePubSub(req.headers, req.body);
  const raw = messageJson(delivery);
  const spec = parseJobSpec(raw);
  const options = specOptions(spec, app.config.jobDefaults);
  const jobId = await jobIdOf(raw, delivery);
  const prefix = jobPrefix(jobId);
  const log = logger.child({ jobId });
  const input = spec.prompts
    ? await writeInlinePrompts(deps, app.config, prefix, spec.prompts, signal)
    : await pinInput(deps, app.config, spec.input, spec.generation, signal);
  const planned = await planJob(
    { ...deps, logger: log },
    { jobId, input, prefix, options },
    signal,
  );
  return {
    jobId,
    prefix,
    scheduled: delivery.attributes.scheduledRun === 'true',
    batches: planned.manifest.batches.length,
    published: planned.published,
    created: planned.created,
  };
});

/** The job id of a message; scheduled runs get the UTC date of their publish time appended. */
export async function jobIdOf(
  raw: unknown,
  delivery: Pick<PubSubDelivery, 'attributes' | 'publishTime'>,
): Promise<string> {
  const base = await jobIdForSpec(raw);
  if (delivery.attributes.scheduledRun !== 'true') return base;
  const day = delivery.publishTime ? new Date(delivery.publishTime) : undefined;
  if (day === undefined || Number.isNaN(day.getTime())) {
    reject(
      'scheduled run (scheduledRun=true) without a valid publishTime: cannot derive the nightly job id',
    );
  }
  const date = day.toISOString().slice(0, 10).replaceAll('-', '');
  return `${base.slice(0, 55)}-${date}`;
}

/** Writes inline prompts once (ifGenerationMatch 0) as the job's input; a redelivery reuses it. */
async function writeInlinePrompts(
  deps: PipelineDeps,
  config: CloudConfig,
  prefix: string,
  prompts: readonly unknown[],
  signal: AbortSignal,
): Promise<InputRef> {
  const name = `${prefix}input.jsonl`;
  const text = prompts.map((p) => JSON.stringify(p as Json)).join('\n') + '\n';
  try {
    const info = await deps.store.write(name, text, {
      ifGenerationMatch: 0,
      contentType: 'application/jsonl',
      signal,
    });
    return { bucket: config.bucket, name, generation: info.generation };
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    const info = await deps.store.stat(name, signal);
    if (info === undefined)
      throw new Error(`${name}: 412 on create, then absent`, { cause: error });
    return { bucket: config.bucket, name, generation: info.generation };
  }
}

/** Resolves `input` to an allow-listed object pinned to one generation. */
async function pinInput(
  deps: PipelineDeps,
  config: CloudConfig,
  input: string | undefined,
  generation: string | undefined,
  signal: AbortSignal,
): Promise<InputRef> {
  if (input === undefined)
    reject('job spec has neither "input" nor "prompts": name the input file or inline prompts');
  const ref = parseInputUri(input, config.bucket);
  assertAllowed(config, ref.bucket);
  if (generation !== undefined) return { ...ref, generation };
  if (ref.generation !== undefined) return ref;
  const info = await deps.inputStore(ref.bucket).stat(ref.name, signal);
  if (info === undefined) reject(`input gs://${ref.bucket}/${ref.name} does not exist`);
  return { ...ref, generation: info.generation };
}
