/**
 * Benchmarks the deploy artifact (run `npm run package` first): cold import time of its entry
 * module in fresh Node processes, against the cold import of @google-cloud/functions-framework
 * alone as a baseline, and its size (files, bytes, zip bytes, installed node_modules bytes).
 * Writes the figures to BENCHMARKS.md between <!-- package:start --> and <!-- package:end -->.
 *
 * Usage: node bench/package.ts [--runs 15] [--dir build]
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { machine, writeSection } from './markdown.ts';

function bytesOf(dir: string, files: string[]): number {
  return files.reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
}

function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, i)] ?? NaN;
}

/** One cold import in a fresh process; returns milliseconds measured inside that process. */
function coldImport(cwd: string, url: string): number {
  const code = `const t=performance.now();await import(${JSON.stringify(url)});process.stdout.write(String(performance.now()-t));process.exit(0)`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH, NODE_ENV: 'production' },
  });
  const ms = Number(run.stdout);
  if (run.status !== 0 || !Number.isFinite(ms)) {
    throw new Error(`cold import of ${url} failed:\n${run.stderr.slice(-2000)}`);
  }
  return ms;
}

const fmt = (n: number): string => n.toLocaleString('en-US');
const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '15' }, dir: { type: 'string', default: 'build' } },
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  const artifact = resolve(values.dir, 'function');
  const zip = resolve(values.dir, 'function.zip');
  if (!existsSync(join(artifact, 'package.json')) || !existsSync(zip)) {
    throw new Error(`${artifact} or ${zip} is missing: run npm run package first`);
  }
  const files = listFilesSync(artifact);
  const tmp = mkdtempSync(join(tmpdir(), 'sluice-bench-package-'));
  try {
    cpSync(artifact, tmp, { recursive: true });
    const install = spawnSync(
      'npm',
      ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'],
      {
        cwd: tmp,
        encoding: 'utf8',
      },
    );
    if (install.status !== 0) throw new Error(`npm ci --offline failed:\n${install.stderr}`);
    const modules = listFilesSync(join(tmp, 'node_modules'));
    const manifest = JSON.parse(readFileSync(join(tmp, 'package.json'), 'utf8')) as {
      main: string;
    };
    const entry = pathToFileURL(join(tmp, manifest.main)).href;
    const ff = pathToFileURL(
      createRequire(join(tmp, 'package.json')).resolve('@google-cloud/functions-framework'),
    ).href;
    const entryMs: number[] = [];
    const baseMs: number[] = [];
    coldImport(tmp, entry); // warm the OS file cache once; not counted
    for (let i = 0; i < runs; i++) {
      // Interleaved, so machine load drifts over both series alike.
      entryMs.push(coldImport(tmp, entry));
      baseMs.push(coldImport(tmp, ff));
    }
    entryMs.sort((a, b) => a - b);
    baseMs.sort((a, b) => a - b);
    const median = quantile(entryMs, 0.5);
    const baseMedian = quantile(baseMs, 0.5);
    const section = [
      '## Deploy artifact (`node bench/package.ts`)',
      '',
      `${machine()}: ${runs} fresh processes each (interleaved), after \`npm ci --offline\` of the artifact.`,
      '',
      '| figure | value |',
      '|---|---|',
      `| artifact files | ${fmt(files.length)} |`,
      `| artifact bytes | ${fmt(bytesOf(artifact, files))} (${kib(bytesOf(artifact, files))}) |`,
      `| function.zip bytes | ${fmt(statSync(zip).size)} (${kib(statSync(zip).size)}) |`,
      `| node_modules after install | ${fmt(modules.length)} files, ${fmt(bytesOf(join(tmp, 'node_modules'), modules))} bytes |`,
      `| cold import of the entry, median / p95 | ${median.toFixed(1)} ms / ${quantile(entryMs, 0.95).toFixed(1)} ms |`,
      `| cold import of functions-framework alone, median / p95 | ${baseMedian.toFixed(1)} ms / ${quantile(baseMs, 0.95).toFixed(1)} ms |`,
      `| entry / framework (medians) | ${(median / baseMedian).toFixed(2)}× |`,
      '',
      `Machine load average while measuring: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(
          ' / ',
        )} (1/5/15 min), on ${availableParallelism()} CPUs; the ratio is steadier than the absolute figures on a shared machine.`,
      'The entry import is what a cold instance pays before serving: module loading plus the registration of the four functions. The Google clients are imported on the first request (functions/app/runtime.ts), so they are not in this figure.',
    ].join('\n');
    await writeSection(resolve('BENCHMARKS.md'), 'package', section);
    process.stdout.write(`${section}\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Every file under `dir`, relative to it (sync: this script is a straight line). */
function listFilesSync(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

if (import.meta.main) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
