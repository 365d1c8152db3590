import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGcsBlobStore } from '../../../functions/adapters/gcs/blob-store.ts';
import type { GcsEmulator } from '../../../emulators/gcs/index.ts';
import { startGcsEmulator } from '../../../emulators/gcs/index.ts';
import { describeBlobStoreContract } from './contract.ts';

let emu: GcsEmulator;
let storage: Storage;
let count = 0;

beforeAll(async () => {
  emu = await startGcsEmulator({ buckets: ['wire'] });
  storage = new Storage({ apiEndpoint: emu.url, projectId: 'test' });
});
afterAll(() => emu.close());

// A fresh bucket per test (auto-created by its first write; created up front so listing works).
describeBlobStoreContract('gcs over the emulator', async () => {
  const name = `contract-${++count}`;
  await storage.bucket(name).file('.keep').save('', { resumable: false });
  await storage.bucket(name).file('.keep').delete();
  return createGcsBlobStore(storage, name);
});

describe('gcs adapter on the wire', () => {
  it('sends ifGenerationMatch on both multipart (write) and resumable (writeStream) uploads', async () => {
    const store = createGcsBlobStore(storage, 'wire');
    const signal = new AbortController().signal;
    const before = emu.journal().length;
    await store.write('w.txt', 'a', { ifGenerationMatch: 0, signal });
    await store.writeStream(
      's.txt',
      (async function* () {
        yield await Promise.resolve('b');
      })(),
      { ifGenerationMatch: 0, signal },
    );
    const posts = emu
      .journal()
      .slice(before)
      .filter((c) => c.method === 'POST');
    expect(posts.map((c) => c.path)).toEqual([
      expect.stringMatching(
        /uploadType=multipart.*ifGenerationMatch=0|ifGenerationMatch=0.*uploadType=multipart/,
      ),
      expect.stringMatching(
        /uploadType=resumable.*ifGenerationMatch=0|ifGenerationMatch=0.*uploadType=resumable/,
      ),
    ]);
  });

  it('composes 70 sources with three 32-way compose calls into _compose/ temporaries, then cleans up', async () => {
    const store = createGcsBlobStore(storage, 'wire');
    const signal = new AbortController().signal;
    const parts = Array.from({ length: 70 }, (_, i) => `c/${String(i).padStart(2, '0')}`);
    for (const p of parts) await store.write(p, p, { signal });
    const before = emu.journal().length;
    await store.compose(parts, 'joined', { signal });
    const composes = emu
      .journal()
      .slice(before)
      .filter((c) => c.path.includes('/compose'));
    expect(
      composes.map((c) => decodeURIComponent(c.path.split('/o/')[1]?.split('/compose')[0] ?? '')),
    ).toEqual(['_compose/joined/0-0', '_compose/joined/0-1', '_compose/joined/0-2', 'joined']);
    const left: string[] = [];
    for await (const info of store.list('_compose/', signal)) left.push(info.name);
    expect(left).toEqual([]);
  });
});
