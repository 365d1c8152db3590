import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsBlobStore } from '../../../functions/adapters/fs/blob-store.ts';
import { InvalidMessageError } from '../../../functions/pipeline/errors.ts';
import { describeBlobStoreContract } from './contract.ts';

let root: string;
let count = 0;
const live = () => new AbortController().signal;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sluice-fs-store-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describeBlobStoreContract('local folder', () =>
  Promise.resolve(createFsBlobStore(join(root, `case-${++count}`))),
);

describe('local folder specifics', () => {
  it.each([
    '../up.txt',
    'a/../../up.txt',
    '/etc/passwd',
    'a\\b.txt',
    'nul\0.txt',
    'a//b',
    './a',
    'a/',
    '',
    'C:/x',
  ])('rejects the escaping or malformed name %j', async (name) => {
    const store = createFsBlobStore(join(root, 'escape'));
    await expect(store.write(name, 'x', { signal: live() })).rejects.toBeInstanceOf(
      InvalidMessageError,
    );
    await expect(store.readSmall(name, live())).rejects.toBeInstanceOf(InvalidMessageError);
  });

  it('rejects list prefixes that escape the root', async () => {
    const store = createFsBlobStore(join(root, 'escape'));
    await expect(store.list('../', live())[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(
      InvalidMessageError,
    );
  });

  it('keeps objects as plain files and gives hand-placed files a generation', async () => {
    const dir = join(root, 'plain');
    const store = createFsBlobStore(dir);
    await store.write('jobs/j/results.jsonl', '{"id":1}\n', { signal: live() });
    expect(await readFile(join(dir, 'jobs/j/results.jsonl'), 'utf8')).toBe('{"id":1}\n');
    await writeFile(join(dir, 'prompts.jsonl'), 'hand made\n');
    const info = await store.stat('prompts.jsonl', live());
    expect(info?.generation).toMatch(/^\d+$/);
    await store.write('prompts.jsonl', 'v2', {
      ifGenerationMatch: info?.generation ?? '',
      signal: live(),
    });
    await store.delete('jobs/j/results.jsonl', live());
    expect(await readdir(dir)).toEqual(['prompts.jsonl']); // emptied folders are removed, no temp files left
  });
});
