/**
 * Throughput and completeness against a naive baseline, in the same process, on the Gemini
 * emulator with a fixed latency: the baseline is the script people write first (a sequential
 * loop over the SDK, one try per prompt); Sluice is `runLocal`, the code behind `sluice run`.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoogleGenAI } from '@google/genai';
import { runLocal } from '../cli/local/run-local.ts';
import { startGeminiEmulator, type FaultConfig } from '../emulators/gemini/index.ts';
import { createGeminiModelClient } from '../functions/adapters/gemini/client.ts';
import { resolveJobOptions } from '../functions/pipeline/job-options.ts';
import type { Logger } from '../functions/pipeline/ports.ts';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface ThroughputFigures {
  scenario: string;
  prompts: number;
  baselineMs: number;
  baselineComplete: number;
  sluiceMs: number;
  sluiceOk: number;
  sluiceLines: number;
}

async function baseline(url: string, prompts: string[]): Promise<{ ms: number; ok: number }> {
  const ai = new GoogleGenAI({ apiKey: 'bench', httpOptions: { baseUrl: url } });
  const started = performance.now();
  let ok = 0;
  for (const text of prompts) {
    try {
      await ai.models.generateContent({
        model: 'gemini-3.5-flash',
        contents: text,
        config: { tools: [{ codeExecution: {} }] },
      });
      ok += 1;
    } catch {
      // The naive script loses the line: no retry, no error record.
    }
  }
  return { ms: performance.now() - started, ok };
}

export async function measureThroughput(
  scenario: string,
  count: number,
  faults: FaultConfig,
  /** Every n-th prompt makes the emulator write and run Python (0 = none). */
  codeEvery = 4,
): Promise<ThroughputFigures> {
  const emulator = await startGeminiEmulator({
    faults: { ...faults, latencyMs: { min: 40, max: 60 } },
  });
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-'));
  try {
    const prompts = Array.from({ length: count }, (_, i) =>
      codeEvery > 0 && i % codeEvery === 0
        ? `What is ${i + 3} * ${i + 11}?`
        : `Tell me one fact about the number ${i}.`,
    );
    const file = join(dir, 'bench.jsonl');
    await writeFile(
      file,
      prompts.map((prompt, i) => JSON.stringify({ id: `b${i}`, prompt })).join('\n') + '\n',
    );
    const base = await baseline(emulator.url, prompts);
    emulator.reset();
    const started = performance.now();
    await runLocal({
      file,
      outDir: join(dir, 'out'),
      options: resolveJobOptions({
        concurrency: 16,
        batchLines: 100,
        backoffInitialMs: 50,
        backoffMaxMs: 1000,
      }),
      model: createGeminiModelClient({ mode: 'emulator', baseUrl: emulator.url, api: 'developer' }),
      logger: silent,
      signal: AbortSignal.timeout(600_000),
    });
    const sluiceMs = performance.now() - started;
    const lines = (await readFile(join(dir, 'out', 'results.jsonl'), 'utf8')).trim().split('\n');
    const ok = lines.filter((l) => (JSON.parse(l) as { status: string }).status === 'ok').length;
    return {
      scenario,
      prompts: count,
      baselineMs: Math.round(base.ms),
      baselineComplete: base.ok,
      sluiceMs: Math.round(sluiceMs),
      sluiceOk: ok,
      sluiceLines: lines.length,
    };
  } finally {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}
