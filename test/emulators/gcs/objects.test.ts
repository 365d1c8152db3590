import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GcsEmulator } from '../../../emulators/gcs/index.ts';
import { startGcsEmulator } from '../../../emulators/gcs/index.ts';

let emu: GcsEmulator;
let storage: Storage;

beforeAll(async () => {
  emu = await startGcsEmulator({ buckets: ['bkt'] });
  storage = new Storage({ apiEndpoint: emu.url, projectId: 'test' });
  const bkt = storage.bucket('bkt');
  await bkt.file('r/digits.txt').save('0123456789', { resumable: false });
  for (const name of [
    'l/a.txt',
    'l/b.txt',
    'l/c.txt',
    'l/d/1.txt',
    'l/d/2.txt',
    'l/e.txt',
    'other.txt',
  ]) {
    await bkt.file(name).save(name, { resumable: false });
  }
});
afterAll(() => emu.close());

const bucket = () => storage.bucket('bkt');
const text = async (stream: NodeJS.ReadableStream): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
};
const codeOf = (e: unknown) => (e as { code?: number }).code;

describe('reads, lists, deletes and composes through the real client', () => {
  it('downloads with hash validation and refuses a corrupted hash', async () => {
    const file = bucket().file('r/digits.txt');
    expect((await file.download({ validation: 'crc32c' }))[0].toString()).toBe('0123456789');
    expect((await file.download({ validation: 'md5' }))[0].toString()).toBe('0123456789');
    const res = await fetch(`${emu.url}/storage/v1/b/bkt/o/r%2Fdigits.txt?alt=media`);
    expect(res.headers.get('x-goog-hash')).toMatch(/^crc32c=[^,]+,md5=/);
    expect(res.headers.get('x-goog-stored-content-encoding')).toBe('identity');
  });

  it('serves ranged reads (start+end, start only, suffix) as 206', async () => {
    const file = bucket().file('r/digits.txt');
    expect(await text(file.createReadStream({ start: 2, end: 6 }))).toBe('23456');
    expect(await text(file.createReadStream({ start: 6 }))).toBe('6789');
    const res = await fetch(`${emu.url}/storage/v1/b/bkt/o/r%2Fdigits.txt?alt=media`, {
      headers: { Range: 'bytes=-3' },
    });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 7-9/10');
    expect(await res.text()).toBe('789');
    const past = await fetch(`${emu.url}/storage/v1/b/bkt/o/r%2Fdigits.txt?alt=media`, {
      headers: { Range: 'bytes=10-' },
    });
    expect(past.status).toBe(416);
  });

  it('pins reads to a generation and 404s a stale one', async () => {
    const file = bucket().file('r/digits.txt');
    const [meta] = await file.getMetadata();
    const pinned = bucket().file('r/digits.txt', { generation: meta.generation as string });
    expect((await pinned.download())[0].toString()).toBe('0123456789');
    const stale = bucket().file('r/digits.txt', { generation: 1 });
    expect(codeOf(await stale.download().catch((e: unknown) => e))).toBe(404);
  });

  it('lists with prefix, pagination (maxResults + pageToken) and delimiter', async () => {
    const [all] = await bucket().getFiles({ prefix: 'l/' });
    expect(all.map((f) => f.name)).toEqual([
      'l/a.txt',
      'l/b.txt',
      'l/c.txt',
      'l/d/1.txt',
      'l/d/2.txt',
      'l/e.txt',
    ]);
    const names: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const [files, next] = await bucket().getFiles({
        prefix: 'l/',
        maxResults: 4,
        autoPaginate: false,
        pageToken,
      });
      names.push(...files.map((f) => f.name));
      pageToken = (next as { pageToken?: string } | null)?.pageToken;
      pages++;
    } while (pageToken);
    expect(pages).toBe(2);
    expect(names).toEqual(all.map((f) => f.name));
    const [files, , response] = await bucket().getFiles({
      prefix: 'l/',
      delimiter: '/',
      autoPaginate: false,
    });
    expect(files.map((f) => f.name)).toEqual(['l/a.txt', 'l/b.txt', 'l/c.txt', 'l/e.txt']);
    expect((response as { prefixes?: string[] }).prefixes).toEqual(['l/d/']);
  });

  it('pages through collapsed prefixes without repeating them', async () => {
    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const [files, next, response] = await bucket().getFiles({
        prefix: 'l/',
        delimiter: '/',
        maxResults: 1,
        autoPaginate: false,
        pageToken,
      });
      seen.push(
        ...files.map((f) => f.name),
        ...((response as { prefixes?: string[] }).prefixes ?? []),
      );
      pageToken = (next as { pageToken?: string } | null)?.pageToken;
    } while (pageToken);
    expect(seen).toEqual(['l/a.txt', 'l/b.txt', 'l/c.txt', 'l/d/', 'l/e.txt']);
  });

  it('answers exists, delete (204) and a second delete (404)', async () => {
    const file = bucket().file('gone.txt');
    await file.save('x', { resumable: false });
    expect((await file.exists())[0]).toBe(true);
    await file.delete();
    expect((await file.exists())[0]).toBe(false);
    expect(codeOf(await file.delete().catch((e: unknown) => e))).toBe(404);
    await file.delete({ ignoreNotFound: true });
  });

  it('checks preconditions on delete and refuses an upload whose X-Goog-Hash disagrees', async () => {
    const file = bucket().file('guarded.txt');
    await file.save('keep', { resumable: false });
    expect(codeOf(await file.delete({ ifGenerationMatch: 1 }).catch((e: unknown) => e))).toBe(412);
    expect((await file.exists())[0]).toBe(true);
    const res = await fetch(`${emu.url}/upload/storage/v1/b/bkt/o?uploadType=media&name=bad.txt`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', 'X-Goog-Hash': 'crc32c=AAAAAA==' },
      body: 'hello world',
    });
    expect(res.status).toBe(400);
    expect((await bucket().file('bad.txt').exists())[0]).toBe(false);
  });

  it('combines sources in order, rejects more than 32 and honours ifGenerationMatch', async () => {
    await bucket().combine(['l/a.txt', 'l/b.txt', 'r/digits.txt'], 'combined.txt');
    expect((await bucket().file('combined.txt').download())[0].toString()).toBe(
      'l/a.txtl/b.txt0123456789',
    );
    const [meta] = await bucket().file('combined.txt').getMetadata();
    expect(meta.componentCount).toBe(3);
    const many = Array.from({ length: 33 }, () => 'l/a.txt');
    expect(
      codeOf(
        await bucket()
          .combine(many, 'too-many.txt')
          .catch((e: unknown) => e),
      ),
    ).toBe(400);
    const again = await bucket()
      .combine(['l/a.txt'], 'combined.txt', { ifGenerationMatch: 0 })
      .catch((e: unknown) => e);
    expect(codeOf(again)).toBe(412);
    expect(
      codeOf(
        await bucket()
          .combine(['nope'], 'x.txt')
          .catch((e: unknown) => e),
      ),
    ).toBe(404);
  });

  it('injected 503 ×2 on download: the client retries and succeeds (journal shows it)', async () => {
    const before = emu.journal().length;
    emu.setFaults([{ route: 'download', status: 503, times: 2 }]);
    const slow = new Storage({
      apiEndpoint: emu.url,
      projectId: 'test',
      retryOptions: { retryDelayMultiplier: 1.01, maxRetryDelay: 0.05, totalTimeout: 30 },
    });
    expect((await slow.bucket('bkt').file('r/digits.txt').download())[0].toString()).toBe(
      '0123456789',
    );
    const downloads = emu
      .journal()
      .slice(before)
      .filter((c) => c.path.includes('alt=media'));
    expect(downloads.map((c) => c.status)).toEqual([503, 503, 200]);
    emu.setFaults([]);
  });

  it('rate-based faults are reproducible from the seed', async () => {
    const run = async () => {
      emu.setFaults([{ route: 'metadata', status: 500, rate: 0.5 }], 42);
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++)
        statuses.push((await fetch(`${emu.url}/b/bkt/o/other.txt`)).status);
      return statuses;
    };
    const first = await run();
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await run()).toEqual(first);
    emu.setFaults([]);
  });

  it('serves STORAGE_EMULATOR_HOST clients, whose JSON calls use bare /b/ paths', async () => {
    const saved = process.env.STORAGE_EMULATOR_HOST;
    process.env.STORAGE_EMULATOR_HOST = emu.url;
    let client: Storage;
    try {
      client = new Storage({ projectId: 'test' });
    } finally {
      if (saved === undefined) delete process.env.STORAGE_EMULATOR_HOST;
      else process.env.STORAGE_EMULATOR_HOST = saved;
    }
    const before = emu.journal().length;
    const file = client.bucket('bkt').file('host/x.txt');
    await file.save('via env');
    expect((await file.download())[0].toString()).toBe('via env');
    expect(
      (await client.bucket('bkt').getFiles({ prefix: 'host/' }))[0].map((f) => f.name),
    ).toEqual(['host/x.txt']);
    const paths = emu
      .journal()
      .slice(before)
      .map((c) => c.path);
    expect(paths.some((p) => p.startsWith('/b/bkt/o/host%2Fx.txt'))).toBe(true);
    expect(paths.some((p) => p.startsWith('/upload/storage/v1/b/bkt/o'))).toBe(true);
  });
});
