/**
 * `npm run bench`: measures, then writes BENCHMARKS.md. Figures are ratios against a baseline run
 * in the same process, so they compare like with like on whatever machine runs them.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { machine, writeSection } from './markdown.ts';
import { measureThroughput } from './throughput.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const file = `${root}BENCHMARKS.md`;
const count = Number(process.env.BENCH_PROMPTS ?? 400);

const textOnly = await measureThroughput('text only, no faults', count, {}, 0);
const clean = await measureThroughput('no faults', count, {});
const faulty = await measureThroughput('10% faults (429/500/503/504)', count, {
  seed: 7,
  rate429: 0.03,
  rate500: 0.02,
  rate503: 0.03,
  rate504: 0.02,
  retryDelaySeconds: 0.2,
});
const rows = [textOnly, clean, faulty].map((f) => {
  const speedup = (f.baselineMs / f.sluiceMs).toFixed(1);
  return `| ${f.scenario} | ${f.prompts} | ${f.baselineMs} ms, ${f.baselineComplete}/${f.prompts} answered | ${f.sluiceMs} ms, ${f.sluiceOk}/${f.prompts} ok, ${f.sluiceLines} result lines | ${speedup}× |`;
});
await writeSection(
  file,
  'throughput',
  `## Throughput and completeness (Gemini emulator, 40–60 ms latency per call)

${machine()}. Baseline: a sequential loop over \`@google/genai\` with one try per prompt (the
script people write first). Sluice: \`sluice run\`'s code path, concurrency 16, retries on.
Except in the text-only row, a quarter of the prompts make the emulator write and run Python
(at most 4 code runs at once in its sandbox, which bounds those rows).

| scenario | prompts | baseline | sluice | speed-up |
| --- | --- | --- | --- | --- |
${rows.join('\n')}`,
);

const memory = spawnSync(process.execPath, [`${root}bench/memory.ts`, '200000'], {
  encoding: 'utf8',
});
if (memory.status !== 0) throw new Error(`bench/memory.ts failed:\n${memory.stderr}`);
const mem = JSON.parse(memory.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>;
await writeSection(
  file,
  'memory',
  `## Memory: planning and reading a 200 000-line input

${machine()}. \`node bench/memory.ts 200000\` in its own process: plan (one streaming pass,
byte ranges, duplicate-id check), then read and parse every batch's byte range.

| lines | batches | plan | read + parse | RSS before | peak RSS |
| --- | --- | --- | --- | --- | --- |
| ${mem.lines} | ${mem.batches} | ${mem.planMs} ms | ${mem.readMs} ms | ${mem.rssBeforeMb} MB | **${mem.peakRssMb} MB** (limit 200 MB) |`,
);

const pkg = spawnSync(process.execPath, [`${root}bench/package.ts`], {
  encoding: 'utf8',
  stdio: 'inherit',
});
if (pkg.status !== 0)
  process.stderr.write('bench/package.ts failed; its section of BENCHMARKS.md is unchanged\n');
process.stdout.write(`wrote ${file}\n`);
