/** `sluice status <jobId>`: batches done, counts by status, error kinds and latest errors. */
import type { Command } from 'commander';
import { jobPrefix } from '../../functions/pipeline/job-id.ts';
import { jobStatus, type JobStatus } from '../../functions/pipeline/job-status.ts';
import { cloudCliEnv, openBucket, type BucketFlags } from '../stack/cloud-env.ts';

/** The status as a small text table. */
export function renderStatus(s: JobStatus): string {
  const rows: Array<[string, string]> = [
    ['job', s.jobId],
    ['state', s.state],
    ['batches', `${s.batchesDone}/${s.batchesTotal}`],
    ['lines', String(s.counts.total)],
    ['ok', String(s.counts.ok)],
    ['error', String(s.counts.error)],
    ['pending', String(s.counts.pending)],
  ];
  const kinds = Object.entries(s.errorKinds);
  if (kinds.length > 0) rows.push(['error kinds', kinds.map(([k, n]) => `${k} ${n}`).join(', ')]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  if (s.latestErrors.length > 0) {
    lines.push('', 'latest errors:');
    for (const e of s.latestErrors) lines.push(`  ${JSON.stringify(e)}`);
  }
  return lines.join('\n') + '\n';
}

/** Reads a job's status from the bucket; throws naming the job when it does not exist. */
export async function readStatus(
  flags: BucketFlags,
  jobId: string,
  signal: AbortSignal,
): Promise<JobStatus> {
  const { store, where } = openBucket(flags, cloudCliEnv(process.env, process.cwd()));
  const status = await jobStatus({ store }, jobPrefix(jobId), signal);
  if (status === undefined)
    throw new Error(`no job "${jobId}" in ${where} (nothing at ${jobPrefix(jobId)}manifest.json)`);
  return status;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'Show a cloud job: batches done/total, counts by status, error kinds, latest errors',
    )
    .argument('<jobId>', 'the job id printed by `sluice submit`')
    .option('--bucket <name>', 'job bucket (default SLUICE_BUCKET or .sluice/dev.env)')
    .option('--project <id>', 'Google Cloud project (default GOOGLE_CLOUD_PROJECT)')
    .option('--json', 'print the status as JSON')
    .action(async (jobId: string, flags: BucketFlags & { json?: boolean }) => {
      const status = await readStatus(flags, jobId, AbortSignal.timeout(60_000));
      process.stdout.write(
        flags.json ? JSON.stringify(status, null, 2) + '\n' : renderStatus(status),
      );
    });
}
