import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageName, walkImports } from '../../scripts/package-graph.ts';
import { zipDirectory } from '../../scripts/package-zip.ts';
import { readZip } from './zip-reader.ts';

let root = '';
const write = (rel: string, text: string): void => {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
};

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'sluice-graph-'));
  write(
    'functions/index.js',
    [
      "import * as ff from '@google-cloud/functions-framework';",
      "import { a } from './a.js';",
      "import schema from '../schemas/s.json' with { type: 'json' };",
      '/** Example: `import x from "eslint"` */',
      "// import y from 'vitest';",
      "export { b } from './b.js';",
      "import { readFile } from 'node:fs/promises';",
      "import path from 'path';",
      'ff.http("x", () => a + schema.v + readFile + path);',
    ].join('\n'),
  );
  write(
    'functions/a.js',
    "import { Storage } from '@google-cloud/storage/build/x.js';\nexport const a = 1;\n",
  );
  write('functions/b.js', "export async function b() { return import('./lazy.js'); }\n");
  write('functions/lazy.js', "import pLimit from 'p-limit';\nexport default pLimit;\n");
  write('functions/unused.js', "import 'commander';\n");
  write('schemas/s.json', '{"v":1}');
  write('cli/main.js', "import '../functions/index.js';\n");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('walkImports', () => {
  it('follows static, re-export, JSON and literal dynamic imports; skips comments and builtins', async () => {
    const graph = await walkImports(root, join(root, 'functions/index.js'));
    expect(graph.files).toEqual([
      'functions/a.js',
      'functions/b.js',
      'functions/index.js',
      'functions/lazy.js',
      'schemas/s.json',
    ]);
    expect(graph.packages).toEqual([
      '@google-cloud/functions-framework',
      '@google-cloud/storage',
      'p-limit',
    ]);
  });

  it('fails naming the file when a relative import does not resolve', async () => {
    write('functions/broken.js', "import './missing.js';\n");
    await expect(walkImports(root, join(root, 'functions/broken.js'))).rejects.toThrow(
      /"\.\/missing\.js" in functions\/broken\.js does not resolve/,
    );
  });

  it('names packages by scope and name', () => {
    expect(packageName('@google/genai/node')).toBe('@google/genai');
    expect(packageName('p-limit')).toBe('p-limit');
    expect(packageName('ajv/dist/2020.js')).toBe('ajv');
  });
});

describe('zipDirectory', () => {
  it('is deterministic and round-trips every file', async () => {
    const first = join(root, '..', `${root.split('/').pop() ?? 'x'}-1.zip`);
    const second = `${first}.2`;
    await zipDirectory(join(root, 'functions'), first);
    await zipDirectory(join(root, 'functions'), second);
    const bytes = readFileSync(first);
    expect(bytes.equals(readFileSync(second))).toBe(true);
    const entries = readZip(bytes);
    expect(entries.get('index.js')?.toString()).toBe(
      readFileSync(join(root, 'functions/index.js'), 'utf8'),
    );
    expect([...entries.keys()]).toContain('lazy.js');
    rmSync(first);
    rmSync(second);
  });
});
