/**
 * How the cloud commands (submit, status, results) find their bucket: flags, then the process
 * environment, then `.sluice/dev.env` written by `sluice dev`. Against real GCP nothing is set
 * but SLUICE_BUCKET (or --bucket), and the clients use Application Default Credentials.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { createGcsBlobStore } from '../../functions/adapters/gcs/blob-store.ts';
import type { BlobStore } from '../../functions/pipeline/ports.ts';

export const DEV_ENV_FILE = join('.sluice', 'dev.env');

/** Parses `KEY=VALUE` lines (blank lines and `#` comments skipped). */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2].trim();
  }
  return out;
}

/** The process env over `.sluice/dev.env` (when present in `cwd`). */
export function cloudCliEnv(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Record<string, string | undefined> {
  const file = join(cwd, DEV_ENV_FILE);
  const dev = existsSync(file) ? parseDotenv(readFileSync(file, 'utf8')) : {};
  return { ...dev, ...env };
}

export interface BucketFlags {
  bucket?: string;
  project?: string;
}

export interface CloudBucket {
  bucket: string;
  store: BlobStore;
  /** Where it points, for messages: `gs://b` or `gs://b (emulator http://...)`. */
  where: string;
}

/** Opens the job bucket with the real Storage client (emulator when STORAGE_EMULATOR_HOST is set). */
export function openBucket(
  flags: BucketFlags,
  env: Readonly<Record<string, string | undefined>>,
): CloudBucket {
  const bucket = flags.bucket ?? env.SLUICE_BUCKET;
  if (!bucket) {
    throw new Error(
      'no bucket: pass --bucket <name>, set SLUICE_BUCKET, or start `sluice dev` in this folder (it writes .sluice/dev.env)',
    );
  }
  const project = flags.project ?? env.GOOGLE_CLOUD_PROJECT;
  const emulator = env.STORAGE_EMULATOR_HOST;
  const storage = new Storage({
    ...(project ? { projectId: project } : {}),
    ...(emulator
      ? { apiEndpoint: /^https?:\/\//.test(emulator) ? emulator : `http://${emulator}` }
      : {}),
  });
  return {
    bucket,
    store: createGcsBlobStore(storage, bucket),
    where: emulator ? `gs://${bucket} (emulator ${emulator})` : `gs://${bucket}`,
  };
}
