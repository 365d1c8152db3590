/**
 * Memory stays flat (DESIGN promise 3): plans a 200 000-line input and reads every batch's lines
 * through the real reader and line parser, then prints peak RSS. Run in its own process so the
 * figure is this work's alone: `node bench/memory.ts [lines]`.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createFsBlobStore } from '../functions/adapters/fs/blob-store.ts';
import { createMemoryQueue } from '../functions/adapters/memory/queue.ts';
import { systemClock } from '../functions/adapters/system/clock.ts';
import { mathRandom } from '../functions/adapters/system/random.ts';
import { parseInputLine } from '../functions/pipeline/input-line.ts';
import { readLines } from '../functions/pipeline/jsonl-reader.ts';
import { resolveJobOptions } from '../functions/pipeline/job-options.ts';
import { planJob } from '../functions/pipeline/plan-job.ts';
import type { Logger, ModelClient } from '../functions/pipeline/ports.ts';

const lines = Number(process.argv[2] ?? 200_000);
const dir = await mkdtemp(join(tmpdir(), 'sluice-mem-'));
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const noModel: ModelClient = {
  generate: () => Promise.reject(new Error('the memory bench never calls the model')),
};
try {
  const file = createWriteStream(join(dir, 'big.jsonl'));
  for (let i = 1; i <= lines; i++) {
    const line = JSON.stringify({
      id: `row-${i}`,
      prompt: `What is ${i} * ${i + 1}? Think about it with some padding text.`,
    });
    if (!file.write(`${line}\n`)) await once(file, 'drain');
  }
  file.end();
  await once(file, 'finish');
  const rssBefore = process.memoryUsage().rss;
  const store = createFsBlobStore(join(dir, 'out'));
  const input = createFsBlobStore(dir);
  const options = resolveJobOptions({ batchLines: 1000 });
  const deps = {
    store,
    inputStore: () => input,
    queue: createMemoryQueue(),
    topics: { batches: 'batches', jobEvents: 'events' },
    model: noModel,
    clock: systemClock,
    random: mathRandom,
    logger: silent,
  };
  const signal = AbortSignal.timeout(600_000);
  const started = performance.now();
  const { manifest } = await planJob(
    deps,
    { jobId: 'mem', input: { bucket: 'local', name: 'big.jsonl' }, prefix: '', options },
    signal,
  );
  const planned = performance.now();
  let prompts = 0;
  for (const batch of manifest.batches) {
    const chunks = input.read('big.jsonl', { start: batch.start, end: batch.end, signal });
    for await (const raw of readLines(chunks, {
      firstLine: batch.firstLine,
      maxLineBytes: options.maxLineBytes,
    })) {
      if (parseInputLine(raw, options).kind === 'prompt') prompts += 1;
    }
  }
  const read = performance.now();
  const peakMb = process.resourceUsage().maxRSS / 1024;
  const figures = {
    lines,
    batches: manifest.batches.length,
    prompts,
    planMs: Math.round(planned - started),
    readMs: Math.round(read - planned),
    rssBeforeMb: Math.round(rssBefore / 1024 / 1024),
    peakRssMb: Math.round(peakMb),
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
