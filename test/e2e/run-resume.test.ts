/**
 * `sluice run` interrupted with Ctrl-C (SIGINT) and run again into the same folder: the second
 * run finishes the job without redoing checkpointed prompts, and a third run changes nothing.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultRecord } from '../../functions/pipeline/types.ts';
import { runCli } from '../support/run-cli.ts';

const LINES = 120;

async function checkpointed(out: string): Promise<Map<number, string>> {
  const records = new Map<number, string>();
  const ledger = join(out, 'ledger');
  if (!existsSync(ledger)) return records;
  for (const batch of await readdir(ledger)) {
    const dir = join(ledger, batch, 'ckpt');
    if (!existsSync(dir)) continue;
    for (const chunk of (await readdir(dir)).sort()) {
      for (const line of (await readFile(join(dir, chunk), 'utf8')).split('\n').filter(Boolean)) {
        const record = JSON.parse(line) as ResultRecord;
        if (!records.has(record.line)) records.set(record.line, JSON.stringify(record));
      }
    }
  }
  return records;
}

/** Sends SIGINT once a first checkpoint chunk exists: the run is interrupted mid-job. */
function interruptAfterFirstCheckpoint(out: string) {
  return (child: ChildProcess): void => {
    const timer = setInterval(() => {
      void checkpointed(out).then((records) => {
        if (records.size > 0 && child.exitCode === null) {
          clearInterval(timer);
          child.kill('SIGINT');
        }
      });
    }, 100);
    child.on('exit', () => clearInterval(timer));
  };
}

describe('sluice run, interrupted and resumed', () => {
  let dir: string;
  let args: string[];
  let out: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-resume-'));
    out = join(dir, 'out');
    const input = join(dir, 'slow.jsonl');
    // Slow answers (emulator latency marker) so the interrupt lands while prompts are in flight.
    const lines = Array.from({ length: LINES }, (_, i) =>
      JSON.stringify({ id: `s${i + 1}`, prompt: `Tell me about ${i + 1}. [[fault:slow150]]` }),
    );
    await writeFile(input, `${lines.join('\n')}\n`);
    await writeFile(join(dir, 'options.json'), JSON.stringify({ concurrency: 4, batchLines: 30 }));
    args = ['run', input, '--emulator', '--out', out, '--options', join(dir, 'options.json')];
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  let before: Map<number, string>;

  it('stops on SIGINT, keeping finished results and saying how to resume', async () => {
    const run = await runCli(args, {
      onStart: interruptAfterFirstCheckpoint(out),
      timeoutMs: 120_000,
    });
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('run the same command again to resume');
    expect(existsSync(join(out, 'results.jsonl'))).toBe(false);
    before = await checkpointed(out);
    expect(before.size).toBeGreaterThan(0);
    expect(before.size).toBeLessThan(LINES);
  }, 150_000);

  it('finishes on the next run, reusing every checkpointed result as it was', async () => {
    const run = await runCli(args, { timeoutMs: 120_000 });
    expect(run.code, run.stderr).toBe(0);
    const results = (await readFile(join(out, 'results.jsonl'), 'utf8')).trim().split('\n');
    expect(results).toHaveLength(LINES);
    const parsed = results.map((l) => JSON.parse(l) as ResultRecord);
    expect(parsed.map((r) => r.id)).toEqual(Array.from({ length: LINES }, (_, i) => `s${i + 1}`));
    expect(parsed.every((r) => r.status === 'ok')).toBe(true);
    // Same bytes as checkpointed (a rerun would have new latencies and response ids).
    for (const [line, record] of before) expect(JSON.stringify(parsed[line - 1])).toBe(record);
  }, 150_000);

  it('changes nothing when run a third time', async () => {
    const first = await readFile(join(out, 'results.jsonl'), 'utf8');
    const run = await runCli(args, { timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(await readFile(join(out, 'results.jsonl'), 'utf8')).toBe(first);
  }, 90_000);
});
