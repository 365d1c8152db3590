/** `sluice emulate`: the Gemini emulator as a standalone server for other tools and SDKs. */
import type { Command } from 'commander';
import { startGeminiEmulator, type FaultConfig } from '../../emulators/gemini/index.ts';
import { intArg, jsonArg } from './args.ts';

interface EmulateFlags {
  port: number;
  host: string;
  faults?: FaultConfig;
  codeTimeout?: number;
}

export function registerEmulate(program: Command): void {
  program
    .command('emulate')
    .description(
      'Serve the Gemini emulator (generateContent + streamGenerateContent, real Python code execution)',
    )
    .option('--port <n>', 'port to listen on (0 = any free port)', intArg, 8090)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option(
      '--faults <json>',
      'fault config, e.g. {"rate429":0.1,"retryDelaySeconds":2,"seed":7}',
      jsonArg,
    )
    .option('--code-timeout <ms>', 'code-run limit (default 30000)', intArg)
    .action(async (flags: EmulateFlags) => {
      const emulator = await startGeminiEmulator({
        host: flags.host,
        port: flags.port,
        faults: flags.faults,
        codeTimeoutMs: flags.codeTimeout,
      });
      process.stdout.write(
        `Gemini emulator listening on ${emulator.url}\n` +
          `  SDK:   new GoogleGenAI({ apiKey: 'any', httpOptions: { baseUrl: '${emulator.url}' } })\n` +
          `  sluice: SLUICE_GEMINI_BASE_URL=${emulator.url} GEMINI_API_KEY=any sluice run <file>\n` +
          `  control: GET ${emulator.url}/_emulator/journal, POST ${emulator.url}/_emulator/faults\n` +
          'Press Ctrl-C to stop.\n',
      );
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      await emulator.close();
    });
}
