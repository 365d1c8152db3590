/** The CLI's first-minute experience: missing credentials and bad files stop at once with a fix. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

const NO_CREDENTIALS = {
  GEMINI_API_KEY: '',
  GOOGLE_API_KEY: '',
  GOOGLE_GENAI_USE_VERTEXAI: '',
  GOOGLE_CLOUD_PROJECT: '',
  GOOGLE_CLOUD_LOCATION: '',
  SLUICE_GEMINI_BASE_URL: '',
};

describe('sluice run without a way to reach Gemini', () => {
  it('stops at once and names the three ways to provide one', async () => {
    const run = await runCli(
      ['run', 'examples/code-execution.jsonl', '--out', '/tmp/sluice-never'],
      {
        env: NO_CREDENTIALS,
      },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('GEMINI_API_KEY');
    expect(run.stderr).toContain('GOOGLE_GENAI_USE_VERTEXAI');
    expect(run.stderr).toContain('GOOGLE_CLOUD_PROJECT');
    expect(run.stderr).toContain('GOOGLE_CLOUD_LOCATION');
    expect(run.stderr).toContain('--emulator');
    expect(run.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('names a missing input file', async () => {
    const run = await runCli(['run', 'examples/no-such-file.jsonl', '--emulator']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('input file not found');
    expect(run.stderr).toContain('no-such-file.jsonl');
  });

  it('names a bad option value', async () => {
    const run = await runCli([
      'run',
      'examples/code-execution.jsonl',
      '--emulator',
      '--concurrency',
      'lots',
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('--concurrency');
    expect(run.stderr).toContain('lots');
  });
});
