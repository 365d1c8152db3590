import { expect, it } from 'vitest';
import { createMemoryBlobStore } from '../../../functions/adapters/memory/blob-store.ts';
import { describeBlobStoreContract } from './contract.ts';

describeBlobStoreContract('memory', () => Promise.resolve(createMemoryBlobStore()));

it('memory store dumps copies of its contents', async () => {
  const store = createMemoryBlobStore();
  await store.write('a', 'x', { signal: new AbortController().signal });
  const dump = store.dump();
  expect([...dump.keys()]).toEqual(['a']);
  dump.get('a')?.fill(0);
  expect(new TextDecoder().decode(await store.readSmall('a', new AbortController().signal))).toBe(
    'x',
  );
});

describeBlobStoreContract('memory (7-byte chunks, yielding)', () =>
  Promise.resolve(createMemoryBlobStore({ readChunkBytes: 7, yieldEachCall: true })),
);

it('memory store reads in chunks of readChunkBytes', async () => {
  const signal = new AbortController().signal;
  const store = createMemoryBlobStore({ readChunkBytes: 7 });
  await store.write('a', 'x'.repeat(20), { signal });
  const sizes: number[] = [];
  for await (const chunk of store.read('a', { signal })) sizes.push(chunk.length);
  expect(sizes).toEqual([7, 7, 6]);
  expect(() => createMemoryBlobStore({ readChunkBytes: 0 })).toThrow(RangeError);
});
