/**
 * `sluice dev`: the whole cloud flow on this machine (docs/local-cloud.md). Starts the stack,
 * prints endpoints and the env to point the CLI and client libraries at it, writes the env to
 * `.sluice/dev.env`, and runs until Ctrl-C, then stops every child.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Option, type Command } from 'commander';
import { DEV_ENV_FILE } from '../stack/cloud-env.ts';
import { formatEnv, startLocalStack, type LocalStack } from '../stack/local-stack.ts';
import type { PubSubChoice } from '../stack/pubsub.ts';
import { intArg } from './args.ts';

interface DevFlags {
  portBase: number;
  pubsub: PubSubChoice;
  quiet?: boolean;
}

/** What `sluice dev` prints once the stack is up. */
export function describeStack(stack: LocalStack): string {
  const e = stack.endpoints;
  const { exports } = formatEnv(stack.env);
  return [
    `Pub/Sub backend: ${stack.pubsubKind === 'official' ? "official (gcloud's emulator)" : 'in-project emulator'}`,
    `Storage   ${e.storage}`,
    `Pub/Sub   ${e.pubsub}`,
    `Gemini    ${e.gemini}`,
    `onUpload  ${e.onUpload}   (push from ${stack.topics.uploads})`,
    `onJob     ${e.onJob}   (push from ${stack.topics.jobs})`,
    `onBatch   ${e.onBatch}   (push from ${stack.topics.batches})`,
    `jobStatus ${e.jobStatus}/?jobId=<id>`,
    '',
    'Point the CLI and client libraries at it (also written to .sluice/dev.env):',
    `  ${exports}`,
    '',
    'Then: sluice submit examples/code-execution.jsonl --wait',
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
}

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description(
      'Run the whole cloud flow locally: GCS, Pub/Sub and Gemini emulators plus the four functions',
    )
    .option('--port-base <n>', 'functions listen on n+1..n+4 (0 = any free ports)', intArg, 0)
    .addOption(
      new Option('--pubsub <backend>', 'Pub/Sub emulator')
        .choices(['official', 'in-project', 'auto'])
        .default('auto'),
    )
    .option('--quiet', 'do not echo the functions’ log lines')
    .action(async (flags: DevFlags) => {
      const stack = await startLocalStack({
        portBase: flags.portBase,
        pubsub: flags.pubsub,
        onFunctionLine: flags.quiet
          ? undefined
          : (name, line) => process.stderr.write(`[${name}] ${line}\n`),
      });
      await mkdir(dirname(DEV_ENV_FILE), { recursive: true });
      await writeFile(DEV_ENV_FILE, formatEnv(stack.env).dotenv);
      process.stdout.write(describeStack(stack));
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      process.stdout.write('stopping...\n');
      await stack.close();
      await rm(DEV_ENV_FILE, { force: true });
    });
}
