/**
 * In-memory buckets of the GCS emulator: live objects only (no versioning), generations that are
 * microsecond timestamps forced to increase strictly, and the JSON object resource built from them.
 */
import { createHash } from 'node:crypto';
import { crc32cBase64 } from './crc32c.ts';

export interface StoredObject {
  bucket: string;
  name: string;
  generation: number;
  metageneration: number;
  data: Buffer;
  contentType: string;
  contentEncoding: string | undefined;
  metadata: Record<string, string> | undefined;
  crc32c: string;
  md5Hash: string;
  componentCount: number | undefined;
  timeCreated: string;
}

/** What a writer supplies; the rest (hashes, generation, times) is computed. */
export interface NewObject {
  data: Buffer;
  contentType?: string | undefined;
  contentEncoding?: string | undefined;
  metadata?: Record<string, string> | undefined;
  componentCount?: number | undefined;
}

/** The query parameters GCS treats as preconditions. */
export interface Preconditions {
  ifGenerationMatch?: string | null;
  ifGenerationNotMatch?: string | null;
  ifMetagenerationMatch?: string | null;
  ifMetagenerationNotMatch?: string | null;
}

export interface GcsState {
  hasBucket(bucket: string): boolean;
  createBucket(bucket: string): void;
  get(bucket: string, name: string): StoredObject | undefined;
  /** All live objects of a bucket sorted by name (byte order, like GCS). */
  sorted(bucket: string): StoredObject[];
  put(bucket: string, name: string, object: NewObject): StoredObject;
  remove(bucket: string, name: string): boolean;
}

/** Creates empty state holding `buckets`; unknown buckets are created by `put`. */
export function createGcsState(buckets: string[]): GcsState {
  const store = new Map<string, Map<string, StoredObject>>();
  for (const b of buckets) store.set(b, new Map());
  let lastGeneration = 0;
  const nextGeneration = (): number => {
    lastGeneration = Math.max(lastGeneration + 1, Date.now() * 1000);
    return lastGeneration;
  };
  return {
    hasBucket: (bucket) => store.has(bucket),
    createBucket: (bucket) => {
      if (!store.has(bucket)) store.set(bucket, new Map());
    },
    get: (bucket, name) => store.get(bucket)?.get(name),
    sorted: (bucket) =>
      [...(store.get(bucket)?.values() ?? [])].sort((a, b) => compareNames(a.name, b.name)),
    put(bucket, name, object) {
      let objects = store.get(bucket);
      if (!objects) store.set(bucket, (objects = new Map<string, StoredObject>()));
      const stored: StoredObject = {
        bucket,
        name,
        generation: nextGeneration(),
        metageneration: 1,
        data: object.data,
        contentType: object.contentType || 'application/octet-stream',
        contentEncoding: object.contentEncoding,
        metadata: object.metadata,
        crc32c: crc32cBase64(object.data),
        md5Hash: createHash('md5').update(object.data).digest('base64'),
        componentCount: object.componentCount,
        timeCreated: new Date().toISOString(),
      };
      objects.set(name, stored);
      return stored;
    },
    remove: (bucket, name) => store.get(bucket)?.delete(name) ?? false,
  };
}

/** GCS orders names by their UTF-8 bytes, which differs from UTF-16 `<` for astral characters. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** True when every given precondition holds against `existing` (undefined = no live object). */
export function preconditionsHold(existing: StoredObject | undefined, p: Preconditions): boolean {
  const generation = existing ? String(existing.generation) : '0';
  const metageneration = existing ? String(existing.metageneration) : undefined;
  if (p.ifGenerationMatch != null && p.ifGenerationMatch !== generation) return false;
  if (p.ifGenerationNotMatch != null && p.ifGenerationNotMatch === generation) return false;
  if (p.ifMetagenerationMatch != null && p.ifMetagenerationMatch !== metageneration) return false;
  if (p.ifMetagenerationNotMatch != null && p.ifMetagenerationNotMatch === metageneration) {
    return false;
  }
  return true;
}

/** The `storage#object` JSON resource; int64 fields are strings as on the real wire. */
export function objectResource(o: StoredObject, baseUrl: string): Record<string, unknown> {
  const path = `b/${encodeURIComponent(o.bucket)}/o/${encodeURIComponent(o.name)}`;
  const generation = String(o.generation);
  return {
    kind: 'storage#object',
    id: `${o.bucket}/${o.name}/${generation}`,
    selfLink: `${baseUrl}/storage/v1/${path}`,
    mediaLink: `${baseUrl}/download/storage/v1/${path}?generation=${generation}&alt=media`,
    name: o.name,
    bucket: o.bucket,
    generation,
    metageneration: String(o.metageneration),
    contentType: o.contentType,
    ...(o.contentEncoding ? { contentEncoding: o.contentEncoding } : {}),
    storageClass: 'STANDARD',
    size: String(o.data.length),
    md5Hash: o.md5Hash,
    crc32c: o.crc32c,
    etag: Buffer.from(`${generation}/${o.metageneration}`).toString('base64'),
    timeCreated: o.timeCreated,
    updated: o.timeCreated,
    timeStorageClassUpdated: o.timeCreated,
    ...(o.componentCount !== undefined ? { componentCount: o.componentCount } : {}),
    ...(o.metadata ? { metadata: o.metadata } : {}),
  };
}
