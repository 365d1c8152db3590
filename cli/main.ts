/**
 * The `sluice` command line. Commands only translate flags into calls of the same core
 * functions the Cloud Functions use.
 */
import { Command } from 'commander';
import { registerDev } from './commands/dev.ts';
import { registerEmulate } from './commands/emulate.ts';
import { registerResults } from './commands/results.ts';
import { registerRun } from './commands/run.ts';
import { registerStatus } from './commands/status.ts';
import { registerSubmit } from './commands/submit.ts';

export function buildProgram(): Command {
  const program = new Command('sluice')
    .description(
      'Run files of prompts through Gemini with code execution: locally, offline, or on Google Cloud',
    )
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });
  registerRun(program);
  registerSubmit(program);
  registerStatus(program);
  registerResults(program);
  registerDev(program);
  registerEmulate(program);
  return program;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  // Expected failures (bad input, config) carry a message that says what to do; print it alone.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`sluice: ${message}\n`);
  process.exitCode = 1;
}
