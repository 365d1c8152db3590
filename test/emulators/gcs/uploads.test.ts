import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FinalizeEvent, GcsEmulator } from '../../../emulators/gcs/index.ts';
import { startGcsEmulator } from '../../../emulators/gcs/index.ts';

let emu: GcsEmulator;
let storage: Storage;

beforeAll(async () => {
  emu = await startGcsEmulator({ buckets: ['bkt'] });
  storage = new Storage({ apiEndpoint: emu.url, projectId: 'test' });
});
afterAll(() => emu.close());

const bucket = () => storage.bucket('bkt');
// Only this test's object (the session Location carries `name=` too).
const since = (n: number, name: string) =>
  emu
    .journal()
    .slice(n)
    .filter((c) => c.path.includes(`name=${encodeURIComponent(name)}`));

describe('uploads through the real client', () => {
  it('saves with the default resumable session (POST then one PUT) and the right hashes', async () => {
    const before = emu.journal().length;
    await bucket().file('a/one.txt').save('hello world', { contentType: 'text/plain' });
    const calls = since(before, 'a/one.txt');
    expect(calls.map((c) => `${c.method} ${c.status}`)).toEqual(['POST 200', 'PUT 200']);
    expect(calls[0]?.path).toContain('uploadType=resumable');
    const [meta] = await bucket().file('a/one.txt').getMetadata();
    expect(meta.crc32c).toBe('yZRlqg==');
    expect(meta.md5Hash).toBe('XrY7u+Ae7tCTyyK7j1rNww==');
    expect(meta.size).toBe('11');
    expect(meta.contentType).toBe('text/plain');
  });

  it('saves 12 MiB in 5 MiB chunks: 308 + Range between chunks', async () => {
    const data = Buffer.alloc(12 * 1024 * 1024, 7);
    data.write('tail', data.length - 4);
    const before = emu.journal().length;
    await bucket()
      .file('big.bin')
      .save(data, { chunkSize: 5 * 1024 * 1024 });
    expect(since(before, 'big.bin').map((c) => c.status)).toEqual([200, 308, 308, 200]);
    const [back] = await bucket().file('big.bin').download();
    expect(back.equals(data)).toBe(true);
  });

  it('saves with resumable:false as one multipart/related POST', async () => {
    const before = emu.journal().length;
    await bucket()
      .file('multi.json')
      .save('{"a":1}', {
        resumable: false,
        contentType: 'application/json',
        metadata: { metadata: { k: 'v' } },
      });
    const calls = since(before, 'multi.json');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.path).toContain('uploadType=multipart');
    const [meta] = await bucket().file('multi.json').getMetadata();
    expect(meta.contentType).toBe('application/json');
    expect(meta.metadata).toEqual({ k: 'v' });
    expect((await bucket().file('multi.json').download())[0].toString()).toBe('{"a":1}');
  });

  it.each([true, false])(
    'answers 412 to ifGenerationMatch=0 on an existing object (resumable=%s)',
    async (resumable) => {
      const file = bucket().file(`once-${resumable}.txt`);
      await file.save('first', { resumable, preconditionOpts: { ifGenerationMatch: 0 } });
      const err = await file
        .save('second', { resumable, preconditionOpts: { ifGenerationMatch: 0 } })
        .catch((e: unknown) => e);
      expect((err as { code?: number }).code).toBe(412);
      expect((await file.download())[0].toString()).toBe('first');
    },
  );

  it('replaces only the matching generation', async () => {
    const file = bucket().file('gen.txt');
    await file.save('v1');
    const [meta] = await file.getMetadata();
    const err = await file
      .save('v2', { preconditionOpts: { ifGenerationMatch: 1 } })
      .catch((e: unknown) => e);
    expect((err as { code?: number }).code).toBe(412);
    await file.save('v2', { preconditionOpts: { ifGenerationMatch: meta.generation as string } });
    const [after] = await file.getMetadata();
    expect(BigInt(after.generation as string)).toBeGreaterThan(BigInt(meta.generation as string));
  });

  it('fires finalize events with string int64 fields after uploads and compose', async () => {
    const events: FinalizeEvent[] = [];
    const seen = new Promise<void>((resolve) => {
      const off = emu.onFinalize((e) => {
        if (!e.name.startsWith('fin/')) return;
        events.push(e);
        if (events.length === 3) {
          off();
          resolve();
        }
      });
    });
    await bucket().file('fin/a').save('aa', { resumable: false });
    await bucket().file('fin/b').save('bbb');
    await bucket().combine(['fin/a', 'fin/b'], 'fin/c');
    await seen;
    expect(events.map((e) => e.name)).toEqual(['fin/a', 'fin/b', 'fin/c']);
    const c = events[2];
    expect(c).toMatchObject({
      kind: 'storage#object',
      bucket: 'bkt',
      size: '5',
      metageneration: '1',
    });
    expect(typeof c?.generation).toBe('string');
    expect(c?.id).toBe(`bkt/fin/c/${c?.generation}`);
    expect(c?.timeCreated).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('answers unknown routes with 501 listing what is supported', async () => {
    const res = await fetch(`${emu.url}/storage/v1/b/bkt/iam`);
    expect(res.status).toBe(501);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toContain('Supported:');
  });
});
