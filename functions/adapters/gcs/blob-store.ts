/**
 * BlobStore on Cloud Storage through @google-cloud/storage 8.4.0. Preconditions travel as
 * `ifGenerationMatch` query parameters on the upload (checked by GCS, so two writers cannot both
 * win); 412 and 404 become the core's PreconditionFailedError and NotFoundError.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Storage } from '@google-cloud/storage';
import type { BlobStore, ObjectInfo, ReadOptions, WriteOptions } from '../../pipeline/ports.ts';
import { composeAll } from './compose.ts';
import { raceAbort } from '../../pipeline/abort.ts';
import { checkByteRange } from '../../pipeline/byte-range.ts';
import { infoOf, statusOf, translate } from './errors.ts';

const PAGE_SIZE = 1000;

/** A BlobStore over one bucket. The client's own retries (idempotent calls only) still apply. */
export function createGcsBlobStore(storage: Storage, bucketName: string): BlobStore {
  const bucket = storage.bucket(bucketName);

  /** Uploads; `resumable` false = one multipart request (small), true = a streamed session. */
  async function upload(
    name: string,
    source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>,
    options: WriteOptions,
    resumable: boolean,
  ): Promise<ObjectInfo> {
    options.signal.throwIfAborted();
    const file = bucket.file(name);
    const sink = file.createWriteStream({
      resumable,
      contentType: options.contentType ?? 'application/octet-stream',
      // createWriteStream copies these into the query of the multipart POST or the resumable
      // session POST (file.js startSimpleUpload_/startResumableUpload_), where GCS checks them.
      ...(options.ifGenerationMatch !== undefined
        ? { preconditionOpts: { ifGenerationMatch: options.ifGenerationMatch } }
        : {}),
    });
    try {
      await pipeline(Readable.from(asBuffers(source)), sink, { signal: options.signal });
    } catch (error) {
      options.signal.throwIfAborted();
      throw translate(error, name);
    }
    return infoOf(name, file.metadata);
  }

  async function stat(name: string, signal: AbortSignal): Promise<ObjectInfo | undefined> {
    signal.throwIfAborted();
    try {
      const [metadata] = await raceAbort(bucket.file(name).getMetadata(), signal);
      return infoOf(name, metadata);
    } catch (error) {
      signal.throwIfAborted();
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  return {
    async *read(name: string, options: ReadOptions): AsyncIterable<Uint8Array> {
      const { signal } = options;
      signal.throwIfAborted();
      const start = options.start ?? 0;
      const end = options.end;
      checkByteRange(name, start, end);
      const file = options.generation
        ? bucket.file(name, { generation: options.generation })
        : bucket.file(name);
      if (end === start) {
        // Nothing to fetch, but a missing object must still be reported like any read.
        const info = await stat(name, signal);
        if (!info || (options.generation && info.generation !== options.generation)) {
          throw translate({ code: 404 }, name);
        }
        return;
      }
      const stream = file.createReadStream({
        ...(start > 0 ? { start } : {}),
        ...(end !== undefined ? { start, end: end - 1 } : {}), // HTTP Range ends are inclusive
      });
      const onAbort = (): void =>
        void stream.destroy(signal.reason instanceof Error ? signal.reason : undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        for await (const chunk of stream) {
          signal.throwIfAborted();
          yield chunk as Uint8Array;
        }
        signal.throwIfAborted();
      } catch (error) {
        signal.throwIfAborted();
        if (statusOf(error) === 416) return; // start at or past the end: an empty range
        throw translate(error, name);
      } finally {
        signal.removeEventListener('abort', onAbort);
        stream.destroy();
      }
    },

    async readSmall(name, signal) {
      signal.throwIfAborted();
      try {
        const [data] = await raceAbort(bucket.file(name).download(), signal);
        return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      } catch (error) {
        signal.throwIfAborted();
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },

    write: (name, data, options) =>
      upload(name, [typeof data === 'string' ? Buffer.from(data) : data], options, false),

    writeStream: (name, chunks, options) => upload(name, chunks, options, true),

    stat,

    async *list(prefix: string, signal: AbortSignal): AsyncIterable<ObjectInfo> {
      let pageToken: string | undefined;
      do {
        signal.throwIfAborted();
        const query = {
          prefix,
          autoPaginate: false,
          maxResults: PAGE_SIZE,
          ...(pageToken ? { pageToken } : {}),
        };
        const [files, next] = await raceAbort(bucket.getFiles(query), signal);
        for (const file of files) yield infoOf(file.name, file.metadata);
        pageToken = (next as { pageToken?: string } | null)?.pageToken;
      } while (pageToken);
    },

    async delete(name, signal) {
      signal.throwIfAborted();
      await raceAbort(bucket.file(name).delete({ ignoreNotFound: true }), signal);
    },

    async compose(sources, dest, options) {
      options.signal.throwIfAborted();
      if (sources.length === 0) return upload(dest, [], options, false);
      return composeAll(bucket, sources, dest, options);
    },
  };
}

async function* asBuffers(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>,
): AsyncIterable<Buffer> {
  for await (const chunk of source) {
    yield typeof chunk === 'string'
      ? Buffer.from(chunk)
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}
