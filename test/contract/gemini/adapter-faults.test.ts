/**
 * Contract: the REAL @google/genai SDK, through createGeminiModelClient and runPrompt, against the
 * Gemini emulator. For each fault: the ModelCallError kind the adapter produces, whether runPrompt
 * retried (attempts in the outcome AND requests in the emulator journal), and the final outcome.
 * Wall-clock is real here, so options use tiny backoffs; only counts and kinds are asserted.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGeminiEmulator } from '../../../emulators/gemini/index.ts';
import type { GeminiEmulator } from '../../../emulators/gemini/index.ts';
import { createGeminiModelClient } from '../../../functions/adapters/gemini/client.ts';
import { systemClock } from '../../../functions/adapters/system/clock.ts';
import { createSeededRandom } from '../../../functions/adapters/system/random.ts';
import { ModelCallError } from '../../../functions/pipeline/errors.ts';
import type { ModelClient } from '../../../functions/pipeline/ports.ts';
import { runPrompt } from '../../../functions/pipeline/run-prompt.ts';
import type {
  ErrorKind,
  JobOptions,
  Prompt,
  PromptOutcome,
} from '../../../functions/pipeline/types.ts';

let emulator: GeminiEmulator;
let developer: ModelClient;
let vertex: ModelClient;

beforeAll(async () => {
  // 429s ask for 20 ms (RetryInfo), so honouring it keeps the suite fast.
  emulator = await startGeminiEmulator({
    faults: { retryDelaySeconds: 0.02 },
    codeTimeoutMs: 1_000,
  });
  developer = createGeminiModelClient({
    mode: 'emulator',
    baseUrl: emulator.url,
    api: 'developer',
  });
  vertex = createGeminiModelClient({ mode: 'emulator', baseUrl: emulator.url, api: 'vertex' });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.reset();
});

function options(overrides: Partial<JobOptions> = {}): JobOptions {
  return {
    model: 'gemini-3-flash',
    codeExecution: true,
    stream: false,
    concurrency: 1,
    maxAttempts: 3,
    attemptTimeoutMs: 15_000,
    promptDeadlineMs: 60_000,
    backoffInitialMs: 1,
    backoffMaxMs: 20,
    retryCodeTimeout: false,
    maxLineBytes: 1_000_000,
    batchLines: 100,
    batchBytes: 1_000_000,
    ...overrides,
  };
}

function prompt(text: string): Prompt {
  return {
    id: 'c1',
    line: 1,
    model: 'gemini-3-flash',
    request: {
      contents: [{ role: 'user', parts: [{ text }] }],
      tools: [{ codeExecution: {} }],
      generationConfig: { temperature: 0 },
    },
  };
}

async function run(
  text: string,
  overrides: Partial<JobOptions> = {},
  client = developer,
): Promise<PromptOutcome> {
  const deps = { model: client, clock: systemClock, random: createSeededRandom(1) };
  return runPrompt(deps, prompt(text), options(overrides), new AbortController().signal);
}

async function adapterKind(text: string, stream: boolean): Promise<ErrorKind | 'ok'> {
  const signal = AbortSignal.timeout(15_000);
  try {
    await developer.generate({
      model: 'gemini-3-flash',
      request: prompt(text).request,
      stream,
      signal,
    });
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(ModelCallError);
    return (error as ModelCallError).kind;
  }
}

const apiRequests = (): number => emulator.journal().length;

describe('Gemini adapter against the emulator', () => {
  it('a clean prompt: one request, code run for real, the wire body as sent', async () => {
    const outcome = await run('What is 6 * 7?');
    expect(outcome.error).toBeUndefined();
    expect(outcome.attempts).toBe(1);
    const parts = outcome.response?.candidates?.[0]?.content?.parts ?? [];
    expect(parts.some((p) => p.executableCode !== undefined)).toBe(true);
    expect(parts.find((p) => p.codeExecutionResult)?.codeExecutionResult?.outcome).toBe(
      'OUTCOME_OK',
    );
    const [entry] = emulator.journal();
    expect(entry?.path).toBe('/v1/models/gemini-3-flash:generateContent');
    expect(entry?.body).toMatchObject({
      tools: [{ codeExecution: {} }],
      generationConfig: { temperature: 0 },
    });
    expect(JSON.stringify(entry?.body)).not.toContain('retry');
  });

  it.each<[string, boolean, ErrorKind, number, ErrorKind | 'ok']>([
    // marker, stream, adapter kind, attempts through runPrompt (maxAttempts 3), final
    ['[[fault:429x2]]', false, 'rate_limited', 3, 'ok'],
    ['[[fault:503x1]]', false, 'server', 2, 'ok'],
    ['[[fault:503]]', false, 'server', 3, 'server'],
    ['[[fault:500]]', true, 'server', 3, 'server'],
    ['[[fault:504]]', false, 'timeout', 3, 'timeout'],
    ['[[fault:reset]]', false, 'network', 3, 'network'],
    ['[[fault:resetx1]]', true, 'network', 2, 'ok'],
    ['[[fault:truncate]]', true, 'truncated', 3, 'truncated'],
    ['[[fault:truncatex1]]', false, 'truncated', 2, 'ok'],
    ['[[fault:midstream]]', true, 'server', 3, 'server'],
    ['[[fault:400]]', false, 'bad_request', 1, 'bad_request'],
    ['[[fault:403]]', false, 'auth', 1, 'auth'],
    ['[[fault:404]]', true, 'not_found', 1, 'not_found'],
  ])(
    '%s (stream=%s): adapter says %s; runPrompt makes %i attempt(s) → %s',
    async (marker, stream, kind, attempts, final) => {
      const text = `What is 2 + 3? ${marker}`;
      expect(await adapterKind(text, stream)).toBe(kind);
      emulator.reset();
      const outcome = await run(text, { stream });
      expect(outcome.attempts).toBe(attempts);
      expect(apiRequests()).toBe(attempts);
      expect(outcome.error?.kind ?? 'ok').toBe(final);
      if (final === 'ok') expect(outcome.response?.candidates?.[0]?.finishReason).toBe('STOP');
    },
  );

  it('429 carries RetryInfo as retryAfterMs and the status', async () => {
    const error = await developer
      .generate({
        model: 'gemini-3-flash',
        request: prompt('hi [[fault:429]]').request,
        stream: false,
        signal: AbortSignal.timeout(15_000),
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 20 });
  });

  it('a hanging call is cut by the attempt timeout and retried, then reported as timeout', async () => {
    const outcome = await run('Say hi [[fault:hang]]', { attemptTimeoutMs: 1_000, maxAttempts: 2 });
    expect(outcome).toMatchObject({ attempts: 2, error: { kind: 'timeout' } });
    expect(apiRequests()).toBe(2);
    expect(emulator.journal().every((e) => e.fault === 'hang')).toBe(true);
  });

  it('a blocked prompt is returned as data, never retried', async () => {
    for (const stream of [false, true]) {
      emulator.reset();
      const outcome = await run('Tell me [[fault:blocked]]', { stream });
      expect(outcome.error).toBeUndefined();
      expect(outcome.attempts).toBe(1);
      expect(apiRequests()).toBe(1);
      expect(outcome.response?.promptFeedback?.blockReason).toBeDefined();
    }
  });

  it('code past the sandbox limit: code_timeout, retried only when the job opts in', async () => {
    const slow = 'Run this:\n```python\nimport time\ntime.sleep(5)\nprint("done")\n```';
    const once = await run(slow, { retryCodeTimeout: false });
    expect(once).toMatchObject({ attempts: 1, error: { kind: 'code_timeout' } });
    expect(once.response).toBeDefined();
    expect(apiRequests()).toBe(1);
    emulator.reset();
    const twice = await run(slow, { retryCodeTimeout: true, maxAttempts: 2 });
    expect(twice).toMatchObject({ attempts: 2, error: { kind: 'code_timeout' } });
    expect(apiRequests()).toBe(2);
  });

  it('speaks the Vertex dialect too (ok, then a retried 503)', async () => {
    expect((await run('What is 1 + 1?', {}, vertex)).error).toBeUndefined();
    expect(emulator.journal()[0]?.path).toMatch(
      /^\/v1beta1\/projects\/[^/]+\/locations\/[^/]+\/publishers\/google\/models\/gemini-3-flash:generateContent$/,
    );
    emulator.reset();
    const outcome = await run('What is 1 + 2? [[fault:503x1]]', { stream: true }, vertex);
    expect(outcome).toMatchObject({ attempts: 2 });
    expect(outcome.error).toBeUndefined();
  });
});
