import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGeminiEmulator, type GeminiEmulator } from '../../../emulators/gemini/index.ts';
import { CODE, collect, developerClient, partsOf } from './helpers.ts';

let emu: GeminiEmulator;
/** A second emulator with a short code deadline, for the DEADLINE_EXCEEDED path. */
let short: GeminiEmulator;
let listener: Server;
let connections = 0;
beforeAll(async () => {
  // Generous deadline: numpy/sympy imports take seconds on a loaded 2-core machine.
  emu = await startGeminiEmulator({ codeTimeoutMs: 15_000 });
  short = await startGeminiEmulator({ codeTimeoutMs: 1500 });
  listener = createServer((s) => (connections++, s.destroy()));
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  await emu.close();
  await short.close();
  await new Promise((r) => listener.close(r));
});

/** Runs a prompt with the code-execution tool; returns its parts. */
async function run(prompt: string, on: GeminiEmulator = emu) {
  const r = await developerClient(on.url).models.generateContent({
    model: 'gemini-3-flash',
    contents: prompt,
    config: CODE,
  });
  return { parts: partsOf(r), response: r };
}
const results = (parts: Awaited<ReturnType<typeof run>>['parts']) =>
  parts.flatMap((p) => (p.codeExecutionResult ? [p.codeExecutionResult] : []));
const codes = (parts: Awaited<ReturnType<typeof run>>['parts']) =>
  parts.flatMap((p) => (p.executableCode?.code !== undefined ? [p.executableCode.code] : []));

describe.concurrent('arithmetic and templates run real Python', () => {
  it.each([
    ['What is 123 * 456?', '56088'],
    ['Compute 2**100', String(2n ** 100n)],
    ['Calculate (17+4)/3', '7.0'],
    ['Evaluate 17 // 5 + 17 % 5', '5'],
    ['What is the sum of the first 10 primes?', '129'],
    ['Give me the 10th Fibonacci number', '55'],
    ['What is the factorial of 20?', '2432902008176640000'],
    ['Please sort these numbers: 5, 3, 9, -1', '[-1, 3, 5, 9]'],
    ['What is the mean of: 1, 2, 3, 4', '2.5'],
    ['the median of 3, 1, 2', '2'],
    ['standard deviation of 2, 4, 4, 4, 5, 5, 7, 9', '2.138089935299395'],
    ['Solve x**2 - 4 = 0 for x', '[-2, 2]'],
  ])('%s → %s', async (prompt, expected) => {
    const { parts, response } = await run(prompt);
    expect(parts[0]?.text).toBeTruthy();
    expect(parts[1]?.executableCode?.language).toBe('PYTHON');
    expect(results(parts)).toEqual([{ outcome: 'OUTCOME_OK', output: `${expected}\n` }]);
    expect(parts.at(-1)?.text).toBe(`The result is ${expected}.`);
    const u = response.usageMetadata!;
    expect(u.toolUsePromptTokenCount).toBe(Math.ceil((expected.length + 1) / 4));
    expect(u.totalTokenCount).toBe(
      u.promptTokenCount! + u.candidatesTokenCount! + u.toolUsePromptTokenCount!,
    );
  });
});

describe('code execution outcomes', () => {
  it('returns a plot as an inlineData PNG part', async () => {
    const { parts } = await run('Plot y = x**2 - 3 for x from -5 to 5');
    const image = parts.find((p) => p.inlineData)?.inlineData;
    expect(image?.mimeType).toBe('image/png');
    const png = Buffer.from(image?.data ?? '', 'base64');
    expect(png.subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    expect(png.readUInt32BE(16)).toBe(200); // IHDR width
  });

  it('runs a fenced python block and reports OUTCOME_FAILED with the traceback, without rewriting user code', async () => {
    const { parts } = await run(
      'Run this:\n```python\nprint("before")\nraise ValueError("boom")\n```',
    );
    expect(codes(parts)).toEqual(['print("before")\nraise ValueError("boom")\n']);
    const [result] = results(parts);
    expect(result?.outcome).toBe('OUTCOME_FAILED');
    expect(result?.output).toMatch(
      /^Traceback \(most recent call last\):\n {2}File "main.py", line 2/,
    );
    expect(parts.at(-1)?.text).toBe('The code failed: ValueError: boom.');
  });

  it('regenerates code that lacks an import, bounded by maxCodeRetries', async () => {
    const fixed = await run('```python\nprint(round(math.pi, 4))\n```');
    expect(results(fixed.parts).map((r) => r.outcome)).toEqual(['OUTCOME_FAILED', 'OUTCOME_OK']);
    expect(codes(fixed.parts)[1]).toBe('import math\nprint(round(math.pi, 4))\n');
    expect(fixed.parts.at(-1)?.text).toBe('The result is 3.1416.');
    // Needs three fixes; the default maxCodeRetries (2) allows three runs in all, then gives up.
    const bounded = await run(
      '```python\nprint(math.pi, statistics.mean([1]), json.dumps(1))\n```',
    );
    expect(results(bounded.parts).map((r) => r.outcome)).toEqual([
      'OUTCOME_FAILED',
      'OUTCOME_FAILED',
      'OUTCOME_FAILED',
    ]);
    expect(bounded.parts.at(-1)?.text).toBe(
      "The code failed: NameError: name 'json' is not defined.",
    );
  });

  it('kills code at codeTimeoutMs: OUTCOME_DEADLINE_EXCEEDED with the partial output', async () => {
    const { parts } = await run('Please sleep for 20 seconds', short);
    expect(results(parts)).toEqual([
      { outcome: 'OUTCOME_DEADLINE_EXCEEDED', output: 'sleeping\n' },
    ]);
    expect(parts.at(-1)?.text).toMatch(/timed out/);
  });

  it('streams one chunk per part, the last carrying finishReason and usage', async () => {
    const ai = developerClient(emu.url);
    const chunks = await collect(
      await ai.models.generateContentStream({
        model: 'g',
        contents: 'What is 6 * 7?',
        config: CODE,
      }),
    );
    const kinds = chunks.map((c) => Object.keys(c.candidates?.[0]?.content?.parts?.[0] ?? {})[0]);
    expect(kinds).toEqual(['text', 'executableCode', 'codeExecutionResult', 'text']);
    expect(chunks.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP');
    expect(chunks.at(-1)?.usageMetadata?.toolUsePromptTokenCount).toBe(1);
    expect(chunks[0]?.usageMetadata).toBeUndefined();
  });

  it('answers in text when the tool is absent, even for code-like prompts', async () => {
    const r = await developerClient(emu.url).models.generateContent({
      model: 'g',
      contents: 'What is 2 * 3?',
    });
    expect(partsOf(r)).toEqual([{ text: 'Emulated answer to "What is 2 * 3?" (5 words).' }]);
  });

  it('accepts snake_case tools and system_instruction on the raw wire', async () => {
    const res = await fetch(`${emu.url}/v1beta/models/g:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': 'k' },
      body: JSON.stringify({
        contents: [{ role: 'user', parts: [{ text: 'What is 1 + 1?' }] }],
        system_instruction: { parts: [{ text: 'Use code.' }] },
        tools: [{ code_execution: {} }],
        generation_config: { max_output_tokens: 5 },
      }),
    });
    const body = (await res.json()) as {
      candidates: { finishReason: string; content: { parts: { text?: string }[] } }[];
    };
    expect(body.candidates[0]?.content.parts.at(-1)?.text).toBe('The result is 2.');
    expect(body.candidates[0]?.finishReason).toBe('MAX_TOKENS');
  });
});

describe('the sandbox', () => {
  it('has no network: connecting to a local listener fails and nothing arrives', async () => {
    const port = (listener.address() as AddressInfo).port;
    const { parts } = await run(
      `\`\`\`python\nimport socket\nsocket.create_connection(("127.0.0.1", ${port}), timeout=2)\nprint("connected")\n\`\`\``,
    );
    const [result] = results(parts);
    expect(result?.outcome).toBe('OUTCOME_FAILED');
    expect(result?.output).toMatch(/OSError|PermissionError|unreachable/);
    expect(connections).toBe(0);
  });

  it('limits memory: a 6 GiB allocation fails with MemoryError', async () => {
    const { parts } = await run(
      '```python\nblob = bytearray(6 * 1024 ** 3)\nprint(len(blob))\n```',
    );
    const [result] = results(parts);
    expect(result?.outcome).toBe('OUTCOME_FAILED');
    expect(result?.output).toMatch(/MemoryError/);
  });

  it('runs in a fresh temp dir with a minimal env and removes the dir afterwards', async () => {
    const { parts } = await run(
      '```python\nimport os\nprint(os.getcwd())\nprint(sorted(os.environ))\n```',
    );
    const [cwd, env] = (results(parts)[0]?.output ?? '').trim().split('\n');
    expect(cwd).toMatch(/gemini-emu-/);
    expect(existsSync(cwd!)).toBe(false);
    expect(env).not.toMatch(/GEMINI|GOOGLE|NODE|PYENV/);
  });

  it('numpy and sympy are importable', async () => {
    const { parts } = await run(
      '```python\nimport numpy, sympy\nprint(int(numpy.arange(5).sum()), sympy.factorint(12))\n```',
    );
    expect(results(parts)).toEqual([{ outcome: 'OUTCOME_OK', output: '10 {2: 2, 3: 1}\n' }]);
  });
});
