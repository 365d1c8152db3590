/**
 * BlobStore in memory: for unit tests and the local in-process mode. Same semantics as the Cloud
 * Storage and folder adapters (the contract suite in test/contract/blob-store runs all three).
 */
import {
  InvalidMessageError,
  NotFoundError,
  PreconditionFailedError,
} from '../../pipeline/errors.ts';
import type { BlobStore, ObjectInfo, ReadOptions, WriteOptions } from '../../pipeline/ports.ts';
import { checkByteRange } from '../../pipeline/byte-range.ts';

interface Entry {
  data: Uint8Array;
  generation: string;
}

/** Chunk size of streamed reads, so consumers see more than one chunk like with real stores. */
const READ_CHUNK = 64 * 1024;

/** Knobs for tests that want to stress consumers harder than the defaults do. */
export interface MemoryBlobStoreOptions {
  /** Bytes per streamed chunk (default 64 KiB); tiny chunks exercise splitting across borders. */
  readChunkBytes?: number;
  /**
   * Also yield to the event loop before the first chunk of `read` and `list` (the other methods
   * always yield), so concurrent callers interleave at every call. Default false.
   */
  yieldEachCall?: boolean;
}
const encoder = new TextEncoder();

const toBytes = (data: Uint8Array | string): Uint8Array =>
  typeof data === 'string' ? encoder.encode(data) : data;

/** Byte order of the UTF-8 names, which is how Cloud Storage sorts a listing. */
function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function checkName(name: string): void {
  if (name === '' || name.includes('\0')) {
    throw new InvalidMessageError(`Object name ${JSON.stringify(name)} is empty or contains NUL.`);
  }
}

/**
 * Clamps a checked byte range to an object's size, the semantics every store shares: `end` is
 * exclusive and clamped to the size; a start at or past the end yields nothing.
 */
export function resolveRange(
  size: number,
  start = 0,
  end?: number,
): { start: number; end: number } {
  const last = Math.min(end ?? size, size);
  return { start: Math.min(start, last), end: last };
}

/** Creates an empty in-memory store; `dump()` copies its contents for assertions. */
export function createMemoryBlobStore(
  options: MemoryBlobStoreOptions = {},
): BlobStore & { dump(): Map<string, Uint8Array> } {
  const chunkBytes = options.readChunkBytes ?? READ_CHUNK;
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) {
    throw new RangeError(`readChunkBytes must be a positive integer, got ${chunkBytes}.`);
  }
  const firstYield = (): Promise<void> | undefined =>
    options.yieldEachCall ? Promise.resolve() : undefined;
  const objects = new Map<string, Entry>();
  let lastGeneration = 0;

  const info = (name: string, entry: Entry): ObjectInfo => ({
    name,
    size: entry.data.length,
    generation: entry.generation,
  });

  function put(name: string, data: Uint8Array, options: WriteOptions): ObjectInfo {
    checkName(name);
    const current = objects.get(name);
    const want = options.ifGenerationMatch;
    if (want !== undefined && String(want) !== (current?.generation ?? '0')) {
      throw new PreconditionFailedError(
        `ifGenerationMatch=${want} failed for ${name} (current generation ${current?.generation ?? 'none'}).`,
      );
    }
    lastGeneration += 1;
    const entry = { data: data.slice(), generation: String(lastGeneration) };
    objects.set(name, entry);
    return info(name, entry);
  }

  function get(name: string, generation?: string): Entry {
    const entry = objects.get(name);
    if (!entry || (generation !== undefined && generation !== entry.generation)) {
      throw new NotFoundError(`No such object: ${name}${generation ? `#${generation}` : ''}`);
    }
    return entry;
  }

  async function collect(
    chunks: AsyncIterable<Uint8Array | string>,
    signal: AbortSignal,
  ): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    for await (const chunk of chunks) {
      signal.throwIfAborted();
      parts.push(toBytes(chunk));
    }
    signal.throwIfAborted();
    return concat(parts);
  }

  return {
    async *read(name: string, options: ReadOptions): AsyncIterable<Uint8Array> {
      await firstYield();
      options.signal.throwIfAborted();
      const { data } = get(name, options.generation);
      checkByteRange(name, options.start ?? 0, options.end);
      const range = resolveRange(data.length, options.start, options.end);
      for (let at = range.start; at < range.end; at += chunkBytes) {
        options.signal.throwIfAborted();
        yield data.slice(at, Math.min(at + chunkBytes, range.end));
        await Promise.resolve(); // let other work (and aborts) interleave, like real I/O
      }
    },
    readSmall: (name, signal) => settle(signal, () => objects.get(name)?.data.slice()),
    write: (name, data, options) => settle(options.signal, () => put(name, toBytes(data), options)),
    async writeStream(name, chunks, options) {
      options.signal.throwIfAborted();
      return put(name, await collect(chunks, options.signal), options);
    },
    stat: (name, signal) =>
      settle(signal, () => {
        const entry = objects.get(name);
        return entry && info(name, entry);
      }),
    async *list(prefix: string, signal: AbortSignal): AsyncIterable<ObjectInfo> {
      await firstYield();
      signal.throwIfAborted();
      const names = [...objects.keys()].filter((n) => n.startsWith(prefix)).sort(compareNames);
      for (const name of names) {
        signal.throwIfAborted();
        const entry = objects.get(name);
        if (entry) yield info(name, entry);
        await Promise.resolve();
      }
    },
    delete: (name, signal) => settle(signal, () => void objects.delete(name)),
    compose: (sources, dest, options) =>
      settle(options.signal, () => put(dest, concat(sources.map((s) => get(s).data)), options)),
    dump: () => new Map([...objects].map(([name, entry]) => [name, entry.data.slice()])),
  };
}

/** Runs a synchronous step asynchronously, rejecting with the abort reason if aborted. */
async function settle<T>(signal: AbortSignal, step: () => T): Promise<T> {
  await Promise.resolve();
  signal.throwIfAborted();
  return step();
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
