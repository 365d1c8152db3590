/** `sluice run <file>`: one prompt file through Gemini (or the emulator) into a local folder. */
import { readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { type Command, Option } from 'commander';
import { startGeminiEmulator, type FaultConfig } from '../../emulators/gemini/index.ts';
import { createGeminiModelClient } from '../../functions/adapters/gemini/client.ts';
import { resolveGeminiSettings } from '../../functions/adapters/gemini/settings.ts';
import { processEnv, readVar } from '../../functions/config.ts';
import { resolveJobOptions } from '../../functions/pipeline/job-options.ts';
import type { JobOptions } from '../../functions/pipeline/types.ts';
import { runLocal } from '../local/run-local.ts';
import { createConsoleLogger, LOG_LEVELS, type LogLevel } from '../ui/console-logger.ts';
import { createProgress } from '../ui/progress.ts';
import { renderSummary } from '../ui/summary-table.ts';
import { intArg, jsonArg } from './args.ts';

interface RunFlags {
  out?: string;
  emulator?: boolean;
  emulatorFaults?: FaultConfig;
  emulatorCodeTimeout?: number;
  options?: string;
  model?: string;
  system?: string;
  concurrency?: number;
  maxAttempts?: number;
  attemptTimeout?: number;
  promptDeadline?: number;
  batchLines?: number;
  stream?: boolean;
  codeExecution: boolean;
  maxDeliveries?: number;
  failOnError?: boolean;
  json?: boolean;
  logLevel: LogLevel;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Run a JSONL prompt file and write results.jsonl and summary.json to a folder')
    .argument('<file>', 'input JSONL file (one prompt per line)')
    .option('--out <dir>', 'output folder (default: out/<file name>)')
    .option('--emulator', 'use the built-in Gemini emulator (offline, runs the Python for real)')
    .option(
      '--emulator-faults <json>',
      'emulator fault config, e.g. {"rate503":0.05,"seed":1}',
      jsonArg,
    )
    .option('--emulator-code-timeout <ms>', 'emulator code-run limit (default 30000)', intArg)
    .option('--options <file>', 'job options JSON (the same shape as an upload sidecar .job.json)')
    .option('--model <name>', 'Gemini model [env SLUICE_MODEL]')
    .option('--system <text>', 'system instruction for every prompt')
    .option('--concurrency <n>', 'prompts in flight [env SLUICE_CONCURRENCY]', intArg)
    .option(
      '--max-attempts <n>',
      'attempts per prompt, the first included [env SLUICE_MAX_ATTEMPTS]',
      intArg,
    )
    .option(
      '--attempt-timeout <ms>',
      'deadline of one attempt [env SLUICE_ATTEMPT_TIMEOUT_MS]',
      intArg,
    )
    .option('--prompt-deadline <ms>', 'deadline of a prompt over all its attempts', intArg)
    .option('--batch-lines <n>', 'lines per batch [env SLUICE_BATCH_LINES]', intArg)
    .option('--stream', 'use streamGenerateContent (SSE) instead of generateContent')
    .option('--no-code-execution', 'do not add the code-execution tool')
    .option(
      '--max-deliveries <n>',
      'deliveries of a batch before its unfinished lines fail',
      intArg,
      5,
    )
    .option('--fail-on-error', 'exit with status 3 when any result has status "error"')
    .option('--json', 'print summary.json instead of the table')
    .addOption(
      new Option('--log-level <level>', 'log detail on stderr').choices(LOG_LEVELS).default('warn'),
    )
    .action(async (file: string, flags: RunFlags) => {
      process.exitCode = await run(file, flags);
    });
}

async function run(file: string, flags: RunFlags): Promise<number> {
  const env = processEnv();
  const logger = createConsoleLogger(flags.logLevel, (line) => process.stderr.write(line));
  const options = await jobOptions(flags, env);
  const outDir = flags.out ?? join('out', basename(file, extname(file)));
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  const emulator = flags.emulator
    ? await startGeminiEmulator({
        faults: flags.emulatorFaults,
        codeTimeoutMs: flags.emulatorCodeTimeout,
      })
    : undefined;
  try {
    const settings = resolveGeminiSettings(env, { emulatorUrl: emulator?.url });
    const progress = createProgress({ stream: process.stderr });
    const outcome = await runLocal({
      file,
      outDir,
      options,
      model: createGeminiModelClient(settings),
      logger,
      signal: controller.signal,
      maxDeliveries: flags.maxDeliveries ?? Number(readVar(env, 'SLUICE_MAX_DELIVERIES')),
      onPlanned: (manifest) => progress.start(manifest.totalLines),
      onResult: (result) => progress.tick(result.status),
    });
    progress.stop();
    const { report } = outcome;
    if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else
      process.stdout.write(
        `\n${renderSummary(report, { results: outcome.resultsPath, summary: outcome.summaryPath })}\n`,
      );
    return flags.failOnError && report.counts.error > 0 ? 3 : 0;
  } catch (error) {
    if (controller.signal.aborted) {
      process.stderr.write(
        `\nInterrupted. Finished results are kept in ${outDir}; run the same command again to resume.\n`,
      );
      return 130;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    await emulator?.close();
  }
}

/** Precedence: flag > --options file > environment > built-in default. */
async function jobOptions(
  flags: RunFlags,
  env: Record<string, string | undefined>,
): Promise<JobOptions> {
  const fromFile: unknown = flags.options ? JSON.parse(await readFile(flags.options, 'utf8')) : {};
  const fromEnv: Partial<JobOptions> = {
    model: readVar(env, 'SLUICE_MODEL'),
    concurrency: Number(readVar(env, 'SLUICE_CONCURRENCY')),
    maxAttempts: Number(readVar(env, 'SLUICE_MAX_ATTEMPTS')),
    attemptTimeoutMs: Number(readVar(env, 'SLUICE_ATTEMPT_TIMEOUT_MS')),
    batchLines: Number(readVar(env, 'SLUICE_BATCH_LINES')),
  };
  const fromFlags: Partial<JobOptions> = {
    model: flags.model,
    system: flags.system,
    concurrency: flags.concurrency,
    maxAttempts: flags.maxAttempts,
    attemptTimeoutMs: flags.attemptTimeout,
    promptDeadlineMs: flags.promptDeadline,
    batchLines: flags.batchLines,
    stream: flags.stream,
    codeExecution: flags.codeExecution,
  };
  const defined = (o: object): Record<string, unknown> =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && !Number.isNaN(v)));
  const fileOptions = typeof fromFile === 'object' && fromFile !== null ? fromFile : {};
  return resolveJobOptions({ ...defined(fromEnv), ...fileOptions, ...defined(fromFlags) });
}
