/**
 * Cloud configuration of the deployed functions, read once per instance from the environment
 * through functions/config.ts (the only reader of variables). A bad or missing value throws
 * `ConfigError` naming the variable, which the runtime logs and answers with 500.
 */
import { int, readVar, requireVar, type Env } from '../config.ts';
import { ConfigError } from '../pipeline/errors.ts';
import type { Topics } from '../pipeline/ports.ts';
import type { JobOptions } from '../pipeline/types.ts';
import { parseLogLevel, type LogLevel } from '../adapters/log/cloud-logger.ts';

export interface CloudConfig {
  project: string | undefined;
  /** Bucket for inputs, job outputs and ledgers. */
  bucket: string;
  /** Buckets jobs may read input from: SLUICE_INPUT_BUCKETS plus SLUICE_BUCKET. */
  inputBuckets: readonly string[];
  topics: Topics & { jobs: string };
  /** Defaults under every job's own options (SLUICE_MODEL, SLUICE_CONCURRENCY, ...). */
  jobDefaults: Partial<JobOptions>;
  batchDeadlineMs: number;
  maxDeliveries: number;
  logLevel: LogLevel;
  /** The environment it was read from (the Gemini settings read their own variables). */
  env: Env;
}

const BUCKET = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;
const TOPIC = /^[A-Za-z][A-Za-z0-9._~%+-]{2,254}$/;

const bucketName = (raw: string, name: string): string => {
  if (!BUCKET.test(raw))
    throw new ConfigError(`${name}="${raw}" is not valid: expected a bucket name`);
  return raw;
};
const topicId = (raw: string, name: string): string => {
  if (!TOPIC.test(raw)) throw new ConfigError(`${name}="${raw}" is not valid: expected a topic id`);
  return raw;
};

/** Reads and validates the functions' configuration; throws `ConfigError` naming the variable. */
export function loadCloudConfig(env: Env): CloudConfig {
  const bucket = requireVar(env, 'SLUICE_BUCKET', bucketName);
  const extra = (readVar(env, 'SLUICE_INPUT_BUCKETS') ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '')
    .map((b) => bucketName(b, 'SLUICE_INPUT_BUCKETS'));
  return {
    project: readVar(env, 'GOOGLE_CLOUD_PROJECT'),
    bucket,
    inputBuckets: [...new Set([bucket, ...extra])],
    topics: {
      jobs: requireVar(env, 'SLUICE_TOPIC_JOBS', topicId),
      batches: requireVar(env, 'SLUICE_TOPIC_BATCHES', topicId),
      jobEvents: requireVar(env, 'SLUICE_TOPIC_JOB_EVENTS', topicId),
    },
    jobDefaults: {
      model: requireVar(env, 'SLUICE_MODEL', (raw) => raw),
      concurrency: requireVar(env, 'SLUICE_CONCURRENCY', int(1, 1000)),
      maxAttempts: requireVar(env, 'SLUICE_MAX_ATTEMPTS', int(1, 20)),
      attemptTimeoutMs: requireVar(env, 'SLUICE_ATTEMPT_TIMEOUT_MS', int(1000, 3_600_000)),
      batchLines: requireVar(env, 'SLUICE_BATCH_LINES', int(1, 100_000)),
    },
    batchDeadlineMs: requireVar(env, 'SLUICE_BATCH_DEADLINE_MS', int(1000, 3_600_000)),
    maxDeliveries: requireVar(env, 'SLUICE_MAX_DELIVERIES', int(1, 100)),
    logLevel: requireLogLevel(env),
    env,
  };
}

function requireLogLevel(env: Env): LogLevel {
  return requireVar(env, 'SLUICE_LOG_LEVEL', (raw, name) => {
    if (!/^(debug|info|warn|warning|error)$/i.test(raw)) {
      throw new ConfigError(`${name}="${raw}" is not valid: expected debug, info, warn or error`);
    }
    return parseLogLevel(raw);
  });
}
