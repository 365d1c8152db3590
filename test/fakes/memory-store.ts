/**
 * A small in-memory BlobStore for core tests: generations, ifGenerationMatch (412 as
 * PreconditionFailedError), byte ranges [start, end), sorted listing, compose. Every method
 * yields to the event loop first, so concurrent deliveries really interleave.
 */
import { NotFoundError, PreconditionFailedError } from '../../functions/pipeline/errors.ts';
import type { BlobStore, ObjectInfo, WriteOptions } from '../../functions/pipeline/ports.ts';

interface Entry {
  data: Uint8Array;
  generation: number;
}

export interface FakeStore extends BlobStore {
  /** Current objects (name → bytes), for assertions. */
  objects: Map<string, Entry>;
  text(name: string): string | undefined;
  put(name: string, data: string | Uint8Array): void;
}

const encoder = new TextEncoder();
const tick = (): Promise<void> => new Promise((resolve) => queueMicrotask(resolve));

export function createFakeStore(): FakeStore {
  const objects = new Map<string, Entry>();
  let nextGeneration = 1;
  const info = (name: string, e: Entry): ObjectInfo => ({
    name,
    size: e.data.length,
    generation: String(e.generation),
  });
  const put = (name: string, data: string | Uint8Array, options?: WriteOptions): ObjectInfo => {
    const current = objects.get(name);
    const match = options?.ifGenerationMatch;
    if (match !== undefined && String(match) !== String(current?.generation ?? 0)) {
      throw new PreconditionFailedError(`${name}: generation does not match ${match}`);
    }
    const entry = {
      data: typeof data === 'string' ? encoder.encode(data) : data.slice(),
      generation: nextGeneration++,
    };
    objects.set(name, entry);
    return info(name, entry);
  };
  return {
    objects,
    text: (name) => {
      const e = objects.get(name);
      return e === undefined ? undefined : new TextDecoder().decode(e.data);
    },
    put: (name, data) => void put(name, data),
    async *read(name, options) {
      await tick();
      options.signal.throwIfAborted();
      const e = objects.get(name);
      if (
        e === undefined ||
        (options.generation !== undefined && options.generation !== String(e.generation))
      ) {
        throw new NotFoundError(name);
      }
      const bytes = e.data.subarray(options.start ?? 0, options.end ?? e.data.length);
      // Small chunks so line splitting across chunk borders is exercised.
      for (let i = 0; i < bytes.length; i += 7) yield bytes.slice(i, i + 7);
    },
    async readSmall(name, signal) {
      await tick();
      signal.throwIfAborted();
      return objects.get(name)?.data.slice();
    },
    async write(name, data, options) {
      await tick();
      options.signal.throwIfAborted();
      return put(name, data, options);
    },
    async writeStream(name, chunks, options) {
      const parts: Uint8Array[] = [];
      for await (const c of chunks) parts.push(typeof c === 'string' ? encoder.encode(c) : c);
      return this.write(name, concat(parts), options);
    },
    async stat(name, signal) {
      await tick();
      signal.throwIfAborted();
      const e = objects.get(name);
      return e === undefined ? undefined : info(name, e);
    },
    async *list(prefix, signal) {
      await tick();
      signal.throwIfAborted();
      const names = [...objects.keys()].filter((n) => n.startsWith(prefix)).sort();
      for (const n of names) {
        const e = objects.get(n);
        if (e !== undefined) yield info(n, e);
      }
    },
    async delete(name, signal) {
      await tick();
      signal.throwIfAborted();
      objects.delete(name);
    },
    async compose(sources, dest, options) {
      await tick();
      const parts = sources.map((s) => {
        const e = objects.get(s);
        if (e === undefined) throw new NotFoundError(s);
        return e.data;
      });
      return put(dest, concat(parts), options);
    },
  };
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

/** Wraps a store so its next `failures` writes (write, writeStream, compose) throw a 503-like error. */
export function failingWrites(store: BlobStore, failures: number): BlobStore & { failed: number } {
  const state = { left: failures, failed: 0 };
  const maybeFail = (name: string): void => {
    if (state.left > 0) {
      state.left -= 1;
      state.failed += 1;
      throw new Error(`fake 503 writing ${name}`);
    }
  };
  return {
    get failed() {
      return state.failed;
    },
    read: (n, o) => store.read(n, o),
    readSmall: (n, s) => store.readSmall(n, s),
    write: async (n, d, o) => (maybeFail(n), store.write(n, d, o)),
    writeStream: async (n, c, o) => (maybeFail(n), store.writeStream(n, c, o)),
    stat: (n, s) => store.stat(n, s),
    list: (p, s) => store.list(p, s),
    delete: (n, s) => store.delete(n, s),
    compose: async (src, d, o) => (maybeFail(d), store.compose(src, d, o)),
  };
}
