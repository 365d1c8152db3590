import { ApiError } from '@google/genai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rateFault } from '../../../emulators/gemini/faults.ts';
import { startGeminiEmulator, type GeminiEmulator } from '../../../emulators/gemini/index.ts';
import { CODE, collect, developerClient, errorBody, partsOf, thrown } from './helpers.ts';

let emu: GeminiEmulator;
beforeAll(async () => {
  emu = await startGeminiEmulator();
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.setFaults({});
  emu.reset();
});

const ask = (contents: string, timeout?: number) =>
  developerClient(emu.url, timeout ? { timeout } : {}).models.generateContent({
    model: 'gemini-3-flash',
    contents,
  });
const stream = async (contents: string) =>
  collect(
    await developerClient(emu.url).models.generateContentStream({
      model: 'g',
      contents,
      config: CODE,
    }),
  );

describe('scripted fault markers', () => {
  it('[[fault:429x2]] fails twice with RetryInfo, then succeeds', async () => {
    emu.setFaults({ retryDelaySeconds: 7 });
    const prompt = 'hello [[fault:429x2]]';
    for (let i = 0; i < 2; i++) {
      const e = await thrown(() => ask(prompt));
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).status).toBe(429);
      const body = errorBody(e);
      expect(body.status).toBe('RESOURCE_EXHAUSTED');
      expect(body.message).toMatch(/Please retry in 7s\.$/);
      expect(body.details?.map((d) => d['@type'])).toEqual([
        'type.googleapis.com/google.rpc.QuotaFailure',
        'type.googleapis.com/google.rpc.RetryInfo',
      ]);
      expect(body.details?.[1]?.retryDelay).toBe('7s');
    }
    const ok = await ask(prompt);
    expect(ok.text).toBe('Emulated answer to "hello" (1 words).');
    expect(emu.journal().map((j) => [j.status, j.fault])).toEqual([
      [429, '429'],
      [429, '429'],
      [200, undefined],
    ]);
  });

  it.each([
    [500, 'INTERNAL'],
    [503, 'UNAVAILABLE'],
    [504, 'DEADLINE_EXCEEDED'],
    [400, 'INVALID_ARGUMENT'],
    [403, 'PERMISSION_DENIED'],
    [404, 'NOT_FOUND'],
  ])('[[fault:%i]] → ApiError with status %s (unary and stream)', async (code, status) => {
    const e = await thrown(() => ask(`x [[fault:${code}]]`));
    expect((e as ApiError).status).toBe(code);
    expect(errorBody(e).status).toBe(status);
    const s = await thrown(() => stream(`y [[fault:${code}x1]]`));
    expect(errorBody(s).status).toBe(status);
    if (code === 503)
      expect(errorBody(s).message).toBe('The model is overloaded. Please try again later.');
  });

  it('hang: the client gives up via httpOptions.timeout (and sends X-Server-Timeout)', async () => {
    const e = await thrown(() => ask('wait [[fault:hang]]', 400));
    expect((e as Error).name).toBe('AbortError');
    expect(emu.journal()[0]).toMatchObject({ status: 0, fault: 'hang' });
    expect(emu.journal()[0]?.headers['x-server-timeout']).toBe('1');
  });

  it('close() ends a request that is still hanging', async () => {
    const other = await startGeminiEmulator();
    const pending = thrown(() =>
      developerClient(other.url).models.generateContent({ model: 'g', contents: '[[fault:hang]]' }),
    );
    while (other.journal().length === 0) await new Promise((r) => setTimeout(r, 20));
    await other.close();
    expect(((await pending) as Error).message).toBe('fetch failed');
  });

  it('reset: the socket is destroyed → TypeError fetch failed', async () => {
    const e = await thrown(() => ask('boom [[fault:resetx1]]'));
    expect(e).toBeInstanceOf(TypeError);
    expect((e as Error).message).toBe('fetch failed');
    expect((await ask('boom [[fault:resetx1]]')).text).toContain('boom');
  });

  it('truncate: the SSE body ends mid-event → Incomplete JSON segment', async () => {
    const e = await thrown(() => stream('What is 2 * 21? [[fault:truncate]]'));
    expect((e as Error).message).toMatch(/Incomplete JSON segment/);
  });

  it('truncate on a unary call: half the JSON body → the SDK fails to parse it', async () => {
    const e = await thrown(() => ask('cut [[fault:truncate]]'));
    expect(e).toBeInstanceOf(SyntaxError);
  });

  it('midstream: an error event after the first chunk → ApiError 500', async () => {
    const seen: string[] = [];
    const e = await thrown(async () => {
      const s = await developerClient(emu.url).models.generateContentStream({
        model: 'g',
        contents: 'What is 2 * 21? [[fault:midstream]]',
        config: CODE,
      });
      for await (const c of s) seen.push(c.candidates?.[0]?.content?.parts?.[0]?.text ?? '');
    });
    expect(seen).toEqual(["I'll evaluate 2 * 21 with Python.\n\n"]);
    expect((e as ApiError).status).toBe(500);
  });

  it('slowNNNN delays then answers; blocked and maxtokens shape the response', async () => {
    expect((await ask('late [[fault:slow200x1]]')).text).toContain('late');
    expect(emu.journal()[0]).toMatchObject({ status: 200, fault: 'slow' });
    const blocked = await ask('bad [[fault:blocked]]');
    expect(blocked.promptFeedback?.blockReason).toBe('SAFETY');
    expect(blocked.candidates).toBeUndefined();
    const cut = await ask('long [[fault:maxtokens]]');
    expect(cut.candidates?.[0]?.finishReason).toBe('MAX_TOKENS');
  });

  it('markers chain in order: 503 once, then 429 once, then success', async () => {
    const p = 'c [[fault:503x1]][[fault:429x1]]';
    expect(((await thrown(() => ask(p))) as ApiError).status).toBe(503);
    expect(((await thrown(() => ask(p))) as ApiError).status).toBe(429);
    expect(partsOf(await ask(p))[0]?.text).toContain('"c"');
  });
});

describe('rate-based faults', () => {
  it('rpm: requests beyond the rolling-minute quota get 429 with RetryInfo; reset() clears the window', async () => {
    emu.setFaults({ rpm: 3, retryDelaySeconds: 30 });
    for (let i = 0; i < 3; i++) await ask(`q${i}`);
    const e = await thrown(() => ask('q3'));
    expect(errorBody(e).details?.[1]).toEqual({
      '@type': 'type.googleapis.com/google.rpc.RetryInfo',
      retryDelay: '30s',
    });
    expect(emu.journal().at(-1)?.fault).toBe('rpm');
    emu.reset();
    expect((await ask('q4')).text).toContain('q4');
  });

  /** Sends every prompt up to 3 times (stopping at success) and lists which attempts failed how. */
  async function pattern(prompts: string[], concurrency: number): Promise<string[]> {
    const failures: string[] = [];
    const queue = [...prompts];
    const worker = async () => {
      for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
        for (let attempt = 0; attempt < 3; attempt++) {
          try {
            await ask(p);
            break;
          } catch (e) {
            failures.push(`${p}#${attempt}:${(e as ApiError).status}`);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return failures.sort();
  }

  it('same seed → same faulted prompts and attempts, whatever the concurrency', async () => {
    const prompts = Array.from({ length: 40 }, (_, i) => `prompt number ${i}`);
    emu.setFaults({ seed: 42, rate503: 0.2, rate429: 0.1 });
    const sequential = await pattern(prompts, 1);
    emu.reset();
    const concurrent = await pattern([...prompts].reverse(), 8);
    expect(concurrent).toEqual(sequential);
    expect(sequential.length).toBeGreaterThan(3);
    expect(sequential.length).toBeLessThan(40);
    emu.reset();
    emu.setFaults({ seed: 43, rate503: 0.2, rate429: 0.1 });
    expect(await pattern(prompts, 4)).not.toEqual(sequential);
  });

  it('seeded latency is reproducible and within [min, max]', () => {
    const cfg = { seed: 9, latencyMs: { min: 100, max: 300 } };
    const a = [0, 1, 2].map((n) => rateFault(cfg, 'p', n, false).latencyMs);
    expect([0, 1, 2].map((n) => rateFault(cfg, 'p', n, false).latencyMs)).toEqual(a);
    for (const ms of a) expect(ms >= 100 && ms <= 300).toBe(true);
    expect(new Set(a).size).toBeGreaterThan(1);
  });
});
