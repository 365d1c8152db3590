/**
 * Compose of any number of sources. Cloud Storage composes at most 32 per call, so larger sets are
 * composed in groups of 32 into temporaries under `_compose/<dest>/`, level by level, and the
 * temporaries are deleted afterwards. Names are derived from dest, so a retry overwrites them.
 */
import type { Bucket } from '@google-cloud/storage';
import type { ObjectInfo, WriteOptions } from '../../pipeline/ports.ts';
import { raceAbort } from '../../pipeline/abort.ts';
import { infoOf, translate } from './errors.ts';

/** Service limit of one compose request. */
export const MAX_COMPOSE_SOURCES = 32;

async function combineOnce(
  bucket: Bucket,
  sources: string[],
  dest: string,
  options: WriteOptions,
  precondition: boolean,
): Promise<ObjectInfo> {
  options.signal.throwIfAborted();
  const file = bucket.file(dest);
  if (options.contentType) file.metadata.contentType = options.contentType;
  const combineOptions =
    precondition && options.ifGenerationMatch !== undefined
      ? { ifGenerationMatch: options.ifGenerationMatch }
      : {};
  try {
    const [, resource] = await raceAbort(
      bucket.combine(sources, file, combineOptions),
      options.signal,
    );
    return infoOf(dest, resource);
  } catch (error) {
    if (options.signal.aborted) throw error;
    throw translate(error, `${dest} (compose of ${sources.join(', ')})`);
  }
}

/** Composes `sources` (1..n) into `dest`; the precondition applies to `dest` only. */
export async function composeAll(
  bucket: Bucket,
  sources: string[],
  dest: string,
  options: WriteOptions,
): Promise<ObjectInfo> {
  if (sources.length <= MAX_COMPOSE_SOURCES)
    return combineOnce(bucket, sources, dest, options, true);
  const temporaries: string[] = [];
  try {
    let level = sources;
    for (let round = 0; level.length > MAX_COMPOSE_SOURCES; round++) {
      const next: string[] = [];
      for (let i = 0; i * MAX_COMPOSE_SOURCES < level.length; i++) {
        const group = level.slice(i * MAX_COMPOSE_SOURCES, (i + 1) * MAX_COMPOSE_SOURCES);
        const temporary = `_compose/${dest}/${round}-${i}`;
        temporaries.push(temporary);
        await combineOnce(bucket, group, temporary, { signal: options.signal }, false);
        next.push(temporary);
      }
      level = next;
    }
    return await combineOnce(bucket, level, dest, options, true);
  } finally {
    // Best effort and not tied to the caller's signal: leftovers would only cost storage.
    await Promise.allSettled(
      temporaries.map((t) => bucket.file(t).delete({ ignoreNotFound: true })),
    );
  }
}
