/**
 * The store core tests run on: the real in-memory adapter, tuned to stress its callers (7-byte
 * read chunks so line splitting across chunk borders is exercised; a yield on every call so
 * concurrent deliveries really interleave), plus a few test conveniences. Storage semantics live
 * only in functions/adapters/memory/blob-store.ts.
 */
import { createMemoryBlobStore } from '../../functions/adapters/memory/blob-store.ts';
import type { BlobStore } from '../../functions/pipeline/ports.ts';

export interface FakeStore extends BlobStore {
  /** A copy of the current objects (name → bytes). */
  dump(): Map<string, Uint8Array>;
  /** Current text of an object, undefined when absent. */
  text(name: string): string | undefined;
  /** Whether an object exists right now. */
  has(name: string): boolean;
  /** Writes (or overwrites) an object unconditionally. */
  put(name: string, data: string | Uint8Array): Promise<void>;
  /** Deletes an object, as an operator or a clock-skewed peer might. */
  remove(name: string): Promise<void>;
}

const never = new AbortController().signal;

export function createFakeStore(): FakeStore {
  const store = createMemoryBlobStore({ readChunkBytes: 7, yieldEachCall: true });
  return {
    ...store,
    text: (name) => {
      const data = store.dump().get(name);
      return data === undefined ? undefined : new TextDecoder().decode(data);
    },
    has: (name) => store.dump().has(name),
    put: async (name, data) => void (await store.write(name, data, { signal: never })),
    remove: (name) => store.delete(name, never),
  };
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
