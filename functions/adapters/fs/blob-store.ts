/**
 * BlobStore on a local folder: object `a/b.jsonl` is the plain file `<root>/a/b.jsonl`, so
 * results can be opened as they are. Writes go to a temp file in the same directory and are
 * renamed (or linked, for create-only) into place; the generation is the file's mtime in
 * microseconds (see commit.ts). Names that would escape the root are rejected (names.ts).
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Dirent } from 'node:fs';
import { mkdir, open, readFile, readdir, rmdir, unlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { NotFoundError } from '../../pipeline/errors.ts';
import type { BlobStore, ObjectInfo, ReadOptions, WriteOptions } from '../../pipeline/ports.ts';
import { checkByteRange } from '../../pipeline/byte-range.ts';
import { commit, generationOf, isMissing } from './commit.ts';
import { TEMP_PREFIX, objectPath, prefixDirectory } from './names.ts';

const encoder = new TextEncoder();

/** A BlobStore rooted at `root` (created on first write). */
export function createFsBlobStore(root: string): BlobStore {
  const base = resolve(root);

  async function writeChunks(
    name: string,
    chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
    options: WriteOptions,
  ): Promise<ObjectInfo> {
    const { signal } = options;
    signal.throwIfAborted();
    const path = objectPath(base, name);
    await mkdir(dirname(path), { recursive: true });
    const tempPath = join(dirname(path), `${TEMP_PREFIX}${randomUUID()}`);
    const handle = await open(tempPath, 'wx');
    let size = 0;
    try {
      for await (const chunk of chunks) {
        signal.throwIfAborted();
        const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
        await handle.write(bytes);
        size += bytes.length;
      }
      signal.throwIfAborted();
      const generation = await commit(
        { path: tempPath, handle },
        path,
        name,
        options.ifGenerationMatch,
      );
      return { name, size, generation };
    } finally {
      await handle.close().catch(() => undefined); // already closed after a commit
      await unlink(tempPath).catch(() => undefined); // gone after a commit
    }
  }

  async function* readRange(name: string, options: ReadOptions): AsyncIterable<Uint8Array> {
    const { signal } = options;
    signal.throwIfAborted();
    const start = options.start ?? 0;
    const end = options.end;
    checkByteRange(name, start, end);
    const path = objectPath(base, name);
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (isMissing(error)) throw new NotFoundError(`No such object: ${name}`, { cause: error });
      throw error;
    }
    // Stat and read the same open file, so a concurrent replace cannot mix two generations.
    const info = await handle.stat({ bigint: true });
    const generation = String(info.mtimeNs / 1000n);
    if (!info.isFile() || (options.generation !== undefined && options.generation !== generation)) {
      await handle.close();
      throw new NotFoundError(
        `No such object: ${name}${options.generation ? `#${options.generation}` : ''}`,
      );
    }
    const last = Math.min(end ?? Number(info.size), Number(info.size));
    if (start >= last) return void (await handle.close());
    const stream = createReadStream('', { fd: handle, start, end: last - 1, autoClose: true });
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
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
      stream.destroy();
    }
  }

  return {
    read: readRange,

    async readSmall(name, signal) {
      signal.throwIfAborted();
      try {
        return new Uint8Array(await readFile(objectPath(base, name), { signal }));
      } catch (error) {
        signal.throwIfAborted();
        if (isMissing(error)) return undefined;
        throw error;
      }
    },

    write: (name, data, options) => writeChunks(name, [data], options),
    writeStream: (name, chunks, options) => writeChunks(name, chunks, options),

    async stat(name, signal) {
      signal.throwIfAborted();
      const info = await generationOf(objectPath(base, name));
      signal.throwIfAborted();
      return info && { name, ...info };
    },

    async *list(prefix: string, signal: AbortSignal): AsyncIterable<ObjectInfo> {
      signal.throwIfAborted();
      const names = (await walk(base, prefixDirectory(base, prefix), signal)).filter((n) =>
        n.startsWith(prefix),
      );
      names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      for (const name of names) {
        signal.throwIfAborted();
        const info = await generationOf(join(base, ...name.split('/')));
        if (info) yield { name, ...info }; // skip files deleted since the walk
      }
    },

    async delete(name, signal) {
      signal.throwIfAborted();
      const path = objectPath(base, name);
      try {
        await unlink(path);
      } catch (error) {
        if (isMissing(error)) return;
        throw error;
      }
      // Drop directories the delete left empty, so the folder mirrors the object names.
      for (
        let dir = dirname(path);
        dir !== base && dir.startsWith(base + sep);
        dir = dirname(dir)
      ) {
        if (
          !(await rmdir(dir).then(
            () => true,
            () => false,
          ))
        )
          break;
      }
    },

    async compose(sources, dest, options) {
      options.signal.throwIfAborted();
      const read = readRange;
      async function* concatenated(): AsyncIterable<Uint8Array> {
        for (const source of sources) yield* read(source, { signal: options.signal });
      }
      return writeChunks(dest, concatenated(), options);
    },
  };
}

/** Object names (relative, '/'-separated) of all files under `dir`, skipping temp files. */
async function walk(base: string, dir: string, signal: AbortSignal): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  const out: string[] = [];
  for (const entry of entries) {
    signal.throwIfAborted();
    if (entry.name.startsWith(TEMP_PREFIX)) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(base, full, signal)));
    else if (entry.isFile()) out.push(relative(base, full).split(sep).join('/'));
  }
  return out;
}
