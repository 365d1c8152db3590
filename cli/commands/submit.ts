/**
 * `sluice submit <file>`: uploads a prompt file to `inputs/<basename>` (the upload starts the
 * job in the cloud), prints the job id, computed exactly as the upload trigger does, and where
 * the results will land. `--model` writes a sidecar first; `--wait` polls until the job is done.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { jobIdForUpload, jobPrefix } from '../../functions/pipeline/job-id.ts';
import { cloudCliEnv, openBucket, type BucketFlags } from '../stack/cloud-env.ts';
import { readStatus } from './status.ts';

interface SubmitFlags extends BucketFlags {
  model?: string;
  wait?: boolean;
  timeout: string;
}

/** Uploads `file`; resolves with the job id and object names. */
export async function submitFile(
  file: string,
  flags: SubmitFlags,
  signal: AbortSignal,
): Promise<{ jobId: string; bucket: string; input: string; generation: string; prefix: string }> {
  if (!file.endsWith('.jsonl'))
    throw new Error(`${file}: the upload trigger only starts jobs for .jsonl files`);
  const { bucket, store } = openBucket(flags, cloudCliEnv(process.env, process.cwd()));
  const input = `inputs/${basename(file)}`;
  if (flags.model !== undefined) {
    // The sidecar must exist before the input lands: the trigger reads it when the input arrives.
    await store.write(
      input.replace(/\.jsonl$/, '.job.json'),
      JSON.stringify({ model: flags.model }),
      {
        contentType: 'application/json',
        signal,
      },
    );
  }
  const info = await store.writeStream(input, createReadStream(file), {
    contentType: 'application/jsonl',
    signal,
  });
  const jobId = await jobIdForUpload({ bucket, name: input, generation: info.generation });
  return { jobId, bucket, input, generation: info.generation, prefix: jobPrefix(jobId) };
}

/** Polls the job's status every 2 s until it is done or `timeoutMs` passes. */
async function waitDone(flags: BucketFlags, jobId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const status = await readStatus(flags, jobId, AbortSignal.timeout(60_000)).catch(
      () => undefined,
    );
    const line = status
      ? `${status.state}: batches ${status.batchesDone}/${status.batchesTotal}, ok ${status.counts.ok}, error ${status.counts.error}, pending ${status.counts.pending}`
      : 'waiting for the upload trigger to plan the job';
    if (line !== last) process.stdout.write(`${line}\n`);
    last = line;
    if (status?.state === 'done') return;
    if (Date.now() > deadline)
      throw new Error(
        `job ${jobId} not done after ${timeoutMs / 1000} s; see \`sluice status ${jobId}\``,
      );
    await new Promise((r) => setTimeout(r, 2000));
  }
}

export function registerSubmit(program: Command): void {
  program
    .command('submit')
    .description(
      'Upload a prompt file to the bucket (the upload starts a cloud job) and print the job id',
    )
    .argument('<file>', 'a .jsonl prompt file')
    .option('--bucket <name>', 'job bucket (default SLUICE_BUCKET or .sluice/dev.env)')
    .option('--project <id>', 'Google Cloud project (default GOOGLE_CLOUD_PROJECT)')
    .option('--model <name>', 'model for this job (written as the sidecar inputs/<name>.job.json)')
    .option('--wait', 'poll the job status until it is done')
    .option('--timeout <seconds>', 'with --wait: give up after this long', '3600')
    .action(async (file: string, flags: SubmitFlags) => {
      const job = await submitFile(file, flags, AbortSignal.timeout(600_000));
      process.stdout.write(
        `job ${job.jobId}\n` +
          `input gs://${job.bucket}/${job.input}#${job.generation}\n` +
          `results gs://${job.bucket}/${job.prefix}results.jsonl\n`,
      );
      if (flags.wait) {
        await waitDone(flags, job.jobId, Number(flags.timeout) * 1000);
        process.stdout.write(`done: sluice results ${job.jobId}\n`);
      }
    });
}
