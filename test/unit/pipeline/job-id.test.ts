import { describe, expect, it } from 'vitest';
import { InvalidMessageError } from '../../../functions/pipeline/errors.ts';
import {
  canonicalJson,
  jobIdForSpec,
  jobIdForUpload,
  jobPrefix,
} from '../../../functions/pipeline/job-id.ts';

describe('job ids', () => {
  it('derives an upload id from bucket/name#generation: stable, safe, new per generation', async () => {
    const a = await jobIdForUpload({
      bucket: 'b',
      name: 'inputs/My Evals (v2).jsonl',
      generation: '17',
    });
    expect(a).toMatch(/^my-evals-v2-[0-9a-f]{12}$/);
    expect(
      await jobIdForUpload({ bucket: 'b', name: 'inputs/My Evals (v2).jsonl', generation: '17' }),
    ).toBe(a);
    expect(
      await jobIdForUpload({ bucket: 'b', name: 'inputs/My Evals (v2).jsonl', generation: '18' }),
    ).not.toBe(a);
    expect(await jobIdForUpload({ bucket: 'b', name: '../../!!!.jsonl', generation: '1' })).toMatch(
      /^job-[0-9a-f]{12}$/,
    );
    const long = await jobIdForUpload({ bucket: 'b', name: `${'x'.repeat(300)}.jsonl` });
    expect(long.length).toBeLessThanOrEqual(64);
  });

  it('uses an explicit jobId, else a hash of the canonical spec (key order does not matter)', async () => {
    expect(await jobIdForSpec({ jobId: 'nightly_2026-01', model: 'm' })).toBe('nightly_2026-01');
    const x = await jobIdForSpec({ input: 'a', options: { b: 1, a: 2 } });
    expect(x).toMatch(/^spec-[0-9a-f]{16}$/);
    expect(await jobIdForSpec({ options: { a: 2, b: 1 }, input: 'a' })).toBe(x);
    expect(await jobIdForSpec({ input: 'b' })).not.toBe(x);
    await expect(jobIdForSpec({ jobId: '../etc' })).rejects.toThrow(InvalidMessageError);
    await expect(jobIdForSpec({ jobId: 'a'.repeat(65) })).rejects.toThrow(/jobId/);
    await expect(jobIdForSpec({ jobId: 5 })).rejects.toThrow(/jobId/);
  });

  it('builds prefixes only from safe ids', () => {
    expect(jobPrefix('abc-1')).toBe('jobs/abc-1/');
    expect(() => jobPrefix('a/../b')).toThrow(InvalidMessageError);
    expect(() => jobPrefix('')).toThrow(InvalidMessageError);
    expect(canonicalJson({ b: [1, { d: 1, c: 2 }], a: null })).toBe(
      '{"a":null,"b":[1,{"c":2,"d":1}]}',
    );
  });
});
