/**
 * Translating @google-cloud/storage failures into the core's errors (client calls take no
 * AbortSignal; blob-store.ts races them with `raceAbort` from the core).
 */
import { NotFoundError, PreconditionFailedError } from '../../pipeline/errors.ts';
import type { ObjectInfo } from '../../pipeline/ports.ts';

/** HTTP status of a client error (ApiError.code, GaxiosError status or response.status). */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; status?: unknown; response?: { status?: unknown } };
  for (const candidate of [e.code, e.status, e.response?.status]) {
    if (typeof candidate === 'number') return candidate;
    if (typeof candidate === 'string' && /^\d{3}$/.test(candidate)) return Number(candidate);
  }
  return undefined;
}

/** 412 → PreconditionFailedError, 404 → NotFoundError, anything else unchanged (transient). */
export function translate(error: unknown, name: string): unknown {
  const status = statusOf(error);
  if (status === 412)
    return new PreconditionFailedError(`Precondition failed for ${name}.`, { cause: error });
  if (status === 404) return new NotFoundError(`No such object: ${name}`, { cause: error });
  return error;
}

/** ObjectInfo from an object resource (int64 fields arrive as strings). */
export function infoOf(name: string, resource: unknown): ObjectInfo {
  const r = (resource ?? {}) as { name?: unknown; size?: unknown; generation?: unknown };
  return {
    name: typeof r.name === 'string' ? r.name : name,
    size: Number(r.size ?? 0),
    generation:
      typeof r.generation === 'string' || typeof r.generation === 'number'
        ? String(r.generation)
        : '',
  };
}
