/**
 * Derived job ids (DESIGN "job": never random). The same upload or the same spec always maps to
 * the same id, so a redelivered trigger lands on the same `jobs/<jobId>/` prefix and finds the
 * work already done (promise 2). Ids are restricted to `[A-Za-z0-9_-]` so a prefix can never
 * escape its folder (promise 6).
 */
import { InvalidMessageError } from './errors.ts';
import type { InputRef } from './types.ts';

const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const SLUG_MAX = 40;

async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Lower-case `[a-z0-9-]` slug of the object's base name, without its extension. */
function slugOf(name: string): string {
  const base = name.split('/').pop() ?? '';
  const stem = base.replace(/\.(jsonl|json|ndjson|txt)$/i, '');
  const slug = stem
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, SLUG_MAX)
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'job' : slug;
}

/**
 * Job id of an uploaded input: `<slug-of-name>-<12 hex of sha256(bucket/name#generation)>`.
 * A re-upload is a new generation and therefore a new job.
 */
export async function jobIdForUpload(input: InputRef): Promise<string> {
  const key = `${input.bucket}/${input.name}#${input.generation ?? ''}`;
  return `${slugOf(input.name)}-${(await sha256Hex(key)).slice(0, 12)}`;
}

/** JSON with object keys sorted at every level, so equal specs hash equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * Job id of a job message: its explicit `jobId` (validated) or `spec-<16 hex>` of the canonical
 * JSON of the whole spec, so a nightly cron that publishes the same spec twice gets one job.
 */
export async function jobIdForSpec(spec: unknown): Promise<string> {
  if (spec !== null && typeof spec === 'object' && !Array.isArray(spec) && 'jobId' in spec) {
    const jobId: unknown = spec.jobId;
    if (jobId !== undefined) {
      if (typeof jobId !== 'string' || !SAFE_ID.test(jobId)) {
        throw new InvalidMessageError(
          'jobId: must be 1-64 characters of A-Z, a-z, 0-9, "_" or "-" (or leave it out to derive one)',
        );
      }
      return jobId;
    }
  }
  return `spec-${(await sha256Hex(canonicalJson(spec))).slice(0, 16)}`;
}

/** Output prefix of a job, `jobs/<jobId>/`. Rejects ids that could escape the folder. */
export function jobPrefix(jobId: string): string {
  if (!SAFE_ID.test(jobId)) {
    throw new InvalidMessageError(`jobId "${jobId.slice(0, 80)}": must match [A-Za-z0-9_-]{1,64}`);
  }
  return `jobs/${jobId}/`;
}
