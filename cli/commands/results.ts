/** `sluice results <jobId> [--out DIR]`: downloads results.jsonl and summary.json of a job. */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { jobPrefix } from '../../functions/pipeline/job-id.ts';
import { cloudCliEnv, openBucket, type BucketFlags } from '../stack/cloud-env.ts';

const FILES = ['results.jsonl', 'summary.json', 'report.html'] as const;

/** Downloads the job's outputs into `out`; returns the files written. */
export async function downloadResults(
  flags: BucketFlags,
  jobId: string,
  out: string,
  signal: AbortSignal,
): Promise<string[]> {
  const { store, where } = openBucket(flags, cloudCliEnv(process.env, process.cwd()));
  const prefix = jobPrefix(jobId);
  if ((await store.stat(`${prefix}results.jsonl`, signal)) === undefined) {
    throw new Error(
      `job "${jobId}" has no results yet in ${where}: see \`sluice status ${jobId}\``,
    );
  }
  await mkdir(out, { recursive: true });
  const written: string[] = [];
  for (const file of FILES) {
    if ((await store.stat(prefix + file, signal)) === undefined) continue;
    const target = join(out, file);
    await pipeline(
      Readable.from(store.read(prefix + file, { signal })),
      createWriteStream(target),
      { signal },
    );
    written.push(target);
  }
  return written;
}

export function registerResults(program: Command): void {
  program
    .command('results')
    .description('Download a cloud job’s results.jsonl and summary.json')
    .argument('<jobId>', 'the job id printed by `sluice submit`')
    .option('--out <dir>', 'where to write them (default out/<jobId>)')
    .option('--bucket <name>', 'job bucket (default SLUICE_BUCKET or .sluice/dev.env)')
    .option('--project <id>', 'Google Cloud project (default GOOGLE_CLOUD_PROJECT)')
    .action(async (jobId: string, flags: BucketFlags & { out?: string }) => {
      const files = await downloadResults(
        flags,
        jobId,
        flags.out ?? join('out', jobId),
        AbortSignal.timeout(600_000),
      );
      for (const f of files) process.stdout.write(`${f}\n`);
    });
}
