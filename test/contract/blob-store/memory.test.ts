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
