/**
 * One BlobStore contract, run against every adapter (memory, local folder, Cloud Storage over the
 * emulator), so they cannot drift apart.
 */
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, PreconditionFailedError } from '../../../functions/pipeline/errors.ts';
import type { BlobStore } from '../../../functions/pipeline/ports.ts';

const live = () => new AbortController().signal;
const text = (bytes: Uint8Array | undefined) =>
  bytes ? new TextDecoder().decode(bytes) : undefined;

async function readAll(
  store: BlobStore,
  name: string,
  opts: { start?: number; end?: number; generation?: string } = {},
) {
  const parts: Uint8Array[] = [];
  for await (const chunk of store.read(name, { ...opts, signal: live() })) parts.push(chunk);
  return {
    text: Buffer.concat(parts).toString('utf8'),
    chunks: parts.length,
    bytes: Buffer.concat(parts),
  };
}

async function names(store: BlobStore, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const info of store.list(prefix, live())) out.push(info.name);
  return out;
}

/** Registers the shared suite; `factory` returns a fresh, empty store for each test. */
export function describeBlobStoreContract(name: string, factory: () => Promise<BlobStore>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let store: BlobStore;
    beforeEach(async () => {
      store = await factory();
    });

    it('writes, reads, reads small and stats an object', async () => {
      const info = await store.write('jobs/j1/manifest.json', '{"a":1}', {
        contentType: 'application/json',
        signal: live(),
      });
      expect(info).toMatchObject({ name: 'jobs/j1/manifest.json', size: 7 });
      expect(info.generation).toMatch(/^[1-9]\d*$/);
      expect((await readAll(store, 'jobs/j1/manifest.json')).text).toBe('{"a":1}');
      expect(text(await store.readSmall('jobs/j1/manifest.json', live()))).toBe('{"a":1}');
      expect(await store.stat('jobs/j1/manifest.json', live())).toEqual(info);
    });

    it('reports missing objects: NotFoundError from read, undefined from readSmall and stat', async () => {
      await expect(readAll(store, 'nope.txt')).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.readSmall('nope.txt', live())).toBeUndefined();
      expect(await store.stat('nope.txt', live())).toBeUndefined();
    });

    it('reads byte ranges with an exclusive end', async () => {
      await store.write('r.txt', '0123456789', { signal: live() });
      expect((await readAll(store, 'r.txt', { start: 6 })).text).toBe('6789');
      expect((await readAll(store, 'r.txt', { start: 2, end: 6 })).text).toBe('2345');
      expect((await readAll(store, 'r.txt', { start: 3, end: 10 })).text).toBe('3456789');
      expect((await readAll(store, 'r.txt', { end: 3 })).text).toBe('012');
      expect((await readAll(store, 'r.txt', { start: 4, end: 4 })).text).toBe('');
      expect((await readAll(store, 'r.txt', { start: 10 })).text).toBe('');
    });

    it('pins reads to a generation; a replaced generation is not found', async () => {
      const first = await store.write('pin.txt', 'one', { signal: live() });
      expect((await readAll(store, 'pin.txt', { generation: first.generation })).text).toBe('one');
      const second = await store.write('pin.txt', 'two', { signal: live() });
      expect(BigInt(second.generation)).toBeGreaterThan(BigInt(first.generation));
      await expect(
        readAll(store, 'pin.txt', { generation: first.generation }),
      ).rejects.toBeInstanceOf(NotFoundError);
    });

    it('ifGenerationMatch 0 creates once; the second write fails and changes nothing', async () => {
      await store.write('once.txt', 'first', { ifGenerationMatch: 0, signal: live() });
      await expect(
        store.write('once.txt', 'second', { ifGenerationMatch: 0, signal: live() }),
      ).rejects.toBeInstanceOf(PreconditionFailedError);
      expect(text(await store.readSmall('once.txt', live()))).toBe('first');
    });

    it('replaces only the matching generation', async () => {
      const v1 = await store.write('g.txt', 'v1', { signal: live() });
      const v2 = await store.write('g.txt', 'v2', {
        ifGenerationMatch: v1.generation,
        signal: live(),
      });
      await expect(
        store.write('g.txt', 'v3', { ifGenerationMatch: v1.generation, signal: live() }),
      ).rejects.toBeInstanceOf(PreconditionFailedError);
      await expect(
        store.write('fresh.txt', 'x', { ifGenerationMatch: v2.generation, signal: live() }),
      ).rejects.toBeInstanceOf(PreconditionFailedError);
      expect(text(await store.readSmall('g.txt', live()))).toBe('v2');
    });

    it('lets exactly one of two concurrent create-only writers win', async () => {
      const results = await Promise.allSettled([
        store.write('race.txt', 'A', { ifGenerationMatch: 0, signal: live() }),
        store.writeStream('race.txt', chunksOf(['B', 'B']), {
          ifGenerationMatch: 0,
          signal: live(),
        }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.find((r) => r.status === 'rejected');
      expect(lost?.reason).toBeInstanceOf(PreconditionFailedError);
      expect(['A', 'BB']).toContain(text(await store.readSmall('race.txt', live())));
    });

    it('lists by prefix, sorted by name, and deletes (missing is fine)', async () => {
      for (const n of ['b/2.txt', 'a/1.txt', 'b/1.txt', 'b/sub/3.txt', 'b-x.txt', 'c.txt']) {
        await store.write(n, n, { signal: live() });
      }
      expect(await names(store, 'b/')).toEqual(['b/1.txt', 'b/2.txt', 'b/sub/3.txt']);
      expect(await names(store, 'b')).toEqual(['b-x.txt', 'b/1.txt', 'b/2.txt', 'b/sub/3.txt']);
      expect(await names(store, '')).toEqual([
        'a/1.txt',
        'b-x.txt',
        'b/1.txt',
        'b/2.txt',
        'b/sub/3.txt',
        'c.txt',
      ]);
      const infos: number[] = [];
      for await (const i of store.list('a/', live())) infos.push(i.size);
      expect(infos).toEqual([7]);
      await store.delete('b/1.txt', live());
      await store.delete('b/1.txt', live());
      await store.delete('never.txt', live());
      expect(await names(store, 'b/')).toEqual(['b/2.txt', 'b/sub/3.txt']);
    });

    it('composes sources in order, any count (70), leaving no temporaries', async () => {
      const parts = Array.from({ length: 70 }, (_, i) => `p/${String(i).padStart(3, '0')}`);
      for (const [i, n] of parts.entries()) await store.write(n, `${i},`, { signal: live() });
      const info = await store.compose(parts, 'out/all.txt', {
        contentType: 'text/plain',
        signal: live(),
      });
      const expected = parts.map((_, i) => `${i},`).join('');
      expect(info).toMatchObject({ name: 'out/all.txt', size: expected.length });
      expect(text(await store.readSmall('out/all.txt', live()))).toBe(expected);
      expect((await names(store, '')).filter((n) => !n.startsWith('p/'))).toEqual(['out/all.txt']);
      const small = await store.compose(['p/002', 'p/001'], 'out/two.txt', { signal: live() });
      expect(small.size).toBe(4);
      expect(text(await store.readSmall('out/two.txt', live()))).toBe('2,1,');
    });

    it('stores empty objects, also from a compose of no sources', async () => {
      expect((await store.write('empty.txt', '', { signal: live() })).size).toBe(0);
      expect(await store.readSmall('empty.txt', live())).toEqual(new Uint8Array());
      expect((await readAll(store, 'empty.txt')).text).toBe('');
      expect((await store.compose([], 'none.txt', { signal: live() })).size).toBe(0);
      expect((await store.stat('none.txt', live()))?.size).toBe(0);
    });

    it('compose fails on a missing source and honours ifGenerationMatch', async () => {
      await store.write('s1', 'a', { signal: live() });
      await expect(
        store.compose(['s1', 'missing'], 'd', { signal: live() }),
      ).rejects.toBeInstanceOf(NotFoundError);
      await store.compose(['s1'], 'd', { ifGenerationMatch: 0, signal: live() });
      await expect(
        store.compose(['s1', 's1'], 'd', { ifGenerationMatch: 0, signal: live() }),
      ).rejects.toBeInstanceOf(PreconditionFailedError);
      expect(text(await store.readSmall('d', live()))).toBe('a');
    });

    it('streams a 5 MiB write in chunks and reads it back in more than one chunk', async () => {
      const chunk = new Uint8Array(64 * 1024).map((_, i) => i % 251);
      const hash = createHash('sha256');
      const source: Array<Uint8Array | string> = [];
      for (let i = 0; i < 80; i++)
        source.push(
          i % 10 === 9
            ? Buffer.from(chunk)
                .toString('latin1')
                .replace(/[^a-z]/g, 'x')
            : chunk,
        );
      for (const c of source) hash.update(typeof c === 'string' ? Buffer.from(c) : c);
      const info = await store.writeStream('big/results.jsonl', chunksOf(source), {
        signal: live(),
      });
      const back = await readAll(store, 'big/results.jsonl');
      expect(info.size).toBe(back.bytes.length);
      expect(back.bytes.length).toBe(5 * 1024 * 1024);
      expect(back.chunks).toBeGreaterThan(1);
      expect(createHash('sha256').update(back.bytes).digest('hex')).toBe(hash.digest('hex'));
    });

    it('honours AbortSignal: every method rejects with the reason', async () => {
      await store.write('ab.txt', 'x'.repeat(300_000), { signal: live() });
      const reason = new Error('deadline');
      const dead = AbortSignal.abort(reason);
      await expect(store.readSmall('ab.txt', dead)).rejects.toBe(reason);
      await expect(store.stat('ab.txt', dead)).rejects.toBe(reason);
      await expect(store.write('ab2.txt', 'y', { signal: dead })).rejects.toBe(reason);
      await expect(store.delete('ab.txt', dead)).rejects.toBe(reason);
      await expect(store.compose(['ab.txt'], 'ab3.txt', { signal: dead })).rejects.toBe(reason);
      await expect(store.list('', dead)[Symbol.asyncIterator]().next()).rejects.toBe(reason);
      const reader = store.read('ab.txt', { signal: dead })[Symbol.asyncIterator]();
      await expect(reader.next()).rejects.toBe(reason);

      const midRead = new AbortController();
      const iterator = store.read('ab.txt', { signal: midRead.signal })[Symbol.asyncIterator]();
      await iterator.next();
      midRead.abort(reason);
      await expect(drain(iterator)).rejects.toBe(reason);

      const midWrite = new AbortController();
      async function* slow(): AsyncIterable<string> {
        yield 'part one,';
        await Promise.resolve();
        midWrite.abort(reason);
        yield 'part two';
      }
      await expect(store.writeStream('ab4.txt', slow(), { signal: midWrite.signal })).rejects.toBe(
        reason,
      );
      expect(await store.stat('ab4.txt', live())).toBeUndefined();
      expect(await store.stat('ab.txt', live())).toBeDefined();
    });

    it('keeps names with spaces, unicode, # and ? intact', async () => {
      const odd = ['with space/a b.txt', 'ünïcødé/日本語.jsonl', 'hash/#1?.txt', 'pct/100%.txt'];
      for (const n of odd) await store.write(n, n, { signal: live() });
      for (const n of odd) expect(text(await store.readSmall(n, live()))).toBe(n);
      expect(await names(store, '')).toEqual(
        [...odd].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
      );
    });
  });
}

async function drain(iterator: AsyncIterator<Uint8Array>): Promise<void> {
  for (;;) if ((await iterator.next()).done) return;
}

async function* chunksOf<T>(items: T[]): AsyncIterable<T> {
  for (const item of items) {
    await Promise.resolve();
    yield item;
  }
}
