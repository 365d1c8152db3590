import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFiles } from '../../scripts/package-zip.ts';
import { buildAndInstall, HAS_FUNCTIONS, REPO, type Built } from './artifact.ts';
import { readZip } from './zip-reader.ts';

if (!HAS_FUNCTIONS) console.warn('SKIPPING package tests: functions/index.ts does not exist yet');

interface Manifest {
  type?: string;
  main?: string;
  engines?: { node?: string };
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: unknown;
}
const TARGETS = ['onUpload', 'onJob', 'onBatch', 'jobStatus'];
const DEV_ONLY = ['node', 'typescript', 'vitest', 'eslint', 'prettier', 'yaml', '@cdktf/hcl2json'];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

let built: Built;
const children: ChildProcess[] = [];

describe.skipIf(!HAS_FUNCTIONS)('deploy artifact', () => {
  beforeAll(() => {
    built = buildAndInstall();
  }, 240_000);
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    if (built !== undefined) rmSync(built.root, { recursive: true, force: true });
  });

  const manifest = (): Manifest =>
    JSON.parse(readFileSync(join(built.dir, 'package.json'), 'utf8')) as Manifest;

  it('has a lean package.json: ESM, Node 22, runtime deps only, pinned from the lock', () => {
    const m = manifest();
    expect(m.type).toBe('module');
    expect(m.main).toBe('functions/index.js');
    expect(m.engines?.node).toBe('>=22');
    expect(m.scripts?.['gcp-build']).toBe('');
    expect(m.devDependencies).toBeUndefined();
    const deps = m.dependencies ?? {};
    for (const name of DEV_ONLY) expect(deps, name).not.toHaveProperty(name);
    expect(deps).toHaveProperty(['@google-cloud/functions-framework']);
    const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version: string }>;
    };
    for (const [name, version] of Object.entries(deps)) {
      expect(version, name).toBe(lock.packages[`node_modules/${name}`]?.version);
    }
  });

  it('ships only the files functions/index.js reaches (no cli, emulators, tests, maps)', async () => {
    const files = await listFiles(built.dir);
    expect(files).toContain('functions/index.js');
    expect(files).toContain('package-lock.json');
    for (const f of files) {
      expect(f, f).toMatch(/^(functions\/.+\.js|schemas\/.+\.json|package(-lock)?\.json)$/);
    }
    const distFns = (await listFiles(join(built.dist, 'functions'))).filter((f) =>
      f.endsWith('.js'),
    );
    expect(files.filter((f) => f.startsWith('functions/')).length).toBeLessThanOrEqual(
      distFns.length,
    );
  });

  it('zips exactly the artifact folder, byte for byte', async () => {
    const entries = readZip(readFileSync(built.zip));
    const files = await listFiles(built.dir);
    expect([...entries.keys()]).toEqual(files);
    for (const f of files) {
      expect(entries.get(f)?.equals(readFileSync(join(built.dir, f))), f).toBe(true);
    }
  });

  it.each(TARGETS)(
    'functions-framework loads the artifact and serves %s',
    async (target) => {
      const port = await freePort();
      const bin = join(built.installed, 'node_modules', '.bin', 'functions-framework');
      const child = spawn(process.execPath, [bin, `--target=${target}`, `--port=${port}`], {
        cwd: built.installed,
        env: {
          PATH: process.env.PATH,
          SLUICE_BUCKET: 'sluice-test-bucket',
          GOOGLE_CLOUD_PROJECT: 'sluice-test',
          SLUICE_BATCH_DEADLINE_MS: '420000',
          // Nothing listens on port 9: any cloud call fails fast instead of hanging offline.
          STORAGE_EMULATOR_HOST: 'http://127.0.0.1:9',
          PUBSUB_EMULATOR_HOST: '127.0.0.1:9',
          SLUICE_GEMINI_BASE_URL: 'http://127.0.0.1:9',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let output = '';
      child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      const url = `http://127.0.0.1:${port}/`;
      let status = 0;
      for (let i = 0; i < 100 && status === 0; i++) {
        const early = await Promise.race([exited, new Promise((r) => setTimeout(r, 300, 'up'))]);
        if (early !== 'up')
          throw new Error(`functions-framework exited (${String(early)}):\n${output}`);
        try {
          const get = await fetch(url, { signal: AbortSignal.timeout(20_000) });
          status = get.status;
          if (status >= 500) {
            const post = await fetch(url, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: '{}',
              signal: AbortSignal.timeout(20_000),
            });
            status = Math.min(status, post.status);
          }
        } catch {
          status = 0; // not listening yet
        }
      }
      child.kill('SIGTERM');
      expect(output).toContain(`Function: ${target}`);
      expect(status, `${target} answered ${status}:\n${output}`).toBeGreaterThan(0);
      expect(status, `${target} answered ${status}:\n${output}`).toBeLessThan(500);
    },
    60_000,
  );
});
