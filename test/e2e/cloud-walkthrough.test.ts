/**
 * Does what docs/local-cloud.md tells a new user: `sluice dev` in one terminal, then
 * `sluice submit examples/code-execution.jsonl --wait` and `sluice results <jobId>` in another,
 * all as real `sluice` processes in a fresh folder (so `.sluice/dev.env` is what connects them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'cli/main.ts');
const EXAMPLE = join(ROOT, 'examples/code-execution.jsonl');
let dev: ChildProcess | undefined;
let dir = '';

afterAll(async () => {
  if (dev && dev.exitCode === null) {
    dev.kill('SIGINT');
    await new Promise((r) => dev?.once('exit', r));
  }
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

function sluice(args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => void (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => void (out += c.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}

it('sluice dev → sluice submit --wait → sluice results, as docs/local-cloud.md says', async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-walkthrough-'));
  const child = spawn(process.execPath, [MAIN, 'dev', '--quiet'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  dev = child;
  let banner = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      banner += c.toString();
      if (banner.includes('Ctrl-C stops everything.')) resolve();
    });
    child.stderr?.on('data', (c: Buffer) => void (banner += c.toString()));
    child.once('exit', (code) => reject(new Error(`sluice dev exited (${code}):\n${banner}`)));
  });
  const backend = /Pub\/Sub backend: (.*)/.exec(banner)?.[1];
  console.log(`\n=== walkthrough: Pub/Sub backend = ${backend} ===\n`);
  expect(await readFile(join(dir, '.sluice/dev.env'), 'utf8')).toMatch(
    /^STORAGE_EMULATOR_HOST=http/m,
  );

  const submit = await sluice(['submit', EXAMPLE, '--wait', '--timeout', '150'], dir);
  expect(submit.code, submit.out).toBe(0);
  const jobId = /^job (\S+)$/m.exec(submit.out)?.[1];
  expect(jobId).toBeDefined();
  expect(submit.out).toContain(`done: sluice results ${jobId}`);

  const status = await sluice(['status', jobId!], dir);
  expect(status.out).toMatch(/state\s+done/);

  const results = await sluice(['results', jobId!, '--out', 'out'], dir);
  expect(results.code, results.out).toBe(0);
  const inputLines = (await readFile(EXAMPLE, 'utf8'))
    .split('\n')
    .filter((l) => l.trim() !== '').length;
  const lines = (await readFile(join(dir, 'out/results.jsonl'), 'utf8')).trim().split('\n');
  expect(lines).toHaveLength(inputLines);
  const summary = JSON.parse(await readFile(join(dir, 'out/summary.json'), 'utf8')) as {
    counts: { total: number };
  };
  expect(summary.counts.total).toBe(inputLines);

  child.kill('SIGINT');
  const code = await new Promise((r) => child.once('exit', r));
  expect(code).toBe(0);
}, 240_000);
