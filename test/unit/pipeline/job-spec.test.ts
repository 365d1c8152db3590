import { describe, expect, it } from 'vitest';
import { InvalidMessageError } from '../../../functions/pipeline/errors.ts';
import { DEFAULT_JOB_OPTIONS, resolveJobOptions } from '../../../functions/pipeline/job-options.ts';
import { parseInputUri, parseJobSpec } from '../../../functions/pipeline/job-spec.ts';
import { isValid } from '../../../functions/pipeline/schema-validator.ts';

describe('resolveJobOptions', () => {
  it('returns the defaults for nothing', () => {
    expect(resolveJobOptions(undefined)).toEqual(DEFAULT_JOB_OPTIONS);
    expect(isValid('job-options', DEFAULT_JOB_OPTIONS, '#/$defs/resolved')).toBe(true);
  });

  it('applies input over defaults over the built-in defaults', () => {
    const o = resolveJobOptions(
      { concurrency: 3, system: 's' },
      { concurrency: 20, model: 'gemini-3.6-flash', maxAttempts: undefined },
    );
    expect(o).toEqual({
      ...DEFAULT_JOB_OPTIONS,
      concurrency: 3,
      system: 's',
      model: 'gemini-3.6-flash',
    });
  });

  it.each([
    [{ concurrency: 0 }, 'option "concurrency" must be an integer from 1 to 1000; got 0'],
    [{ concurrency: '8' }, 'option "concurrency" must be an integer from 1 to 1000; got string'],
    [{ maxAttempts: 2.5 }, 'option "maxAttempts" must be an integer from 1 to 20; got number'],
    [{ stream: 'yes' }, 'option "stream" must be true or false; got string'],
    [{ modle: 'x' }, 'option "modle" is not a known field (allowed fields are model, system'],
    [
      { generationConfig: { temperature: 9 } },
      'option "generationConfig.temperature" must be a number from 0 to 2; got 9',
    ],
    [
      { backoffInitialMs: 5000, backoffMaxMs: 100 },
      '"backoffMaxMs" (100) must be ≥ "backoffInitialMs" (5000)',
    ],
    [[1], 'options must be'],
  ])('rejects %j', (input, message) => {
    expect(() => resolveJobOptions(input)).toThrow(InvalidMessageError);
    expect(() => resolveJobOptions(input)).toThrow(message);
  });
});

describe('parseJobSpec', () => {
  it('merges flat and nested options', () => {
    expect(
      parseJobSpec({
        jobId: 'nightly-1',
        input: 'gs://b/in.jsonl',
        generation: '17',
        model: 'gemini-3.6-flash',
        options: { concurrency: 4 },
      }),
    ).toEqual({
      jobId: 'nightly-1',
      input: 'gs://b/in.jsonl',
      generation: '17',
      options: { concurrency: 4, model: 'gemini-3.6-flash' },
    });
    expect(parseJobSpec({ prompts: [{ prompt: 'hi' }] })).toEqual({
      prompts: [{ prompt: 'hi' }],
      options: {},
    });
  });

  it('accepts a sidecar without input', () => {
    expect(parseJobSpec({ model: 'm', concurrency: 2 }, { sidecar: true })).toEqual({
      options: { model: 'm', concurrency: 2 },
    });
    expect(() => parseJobSpec({ input: 'x' }, { sidecar: true })).toThrow(
      /not allowed in a sidecar/,
    );
  });

  it.each([
    [null, 'must be a JSON object'],
    [{}, 'field "input" is missing'],
    [{ input: 'a', prompts: [{ prompt: 'x' }] }, 'either "input" or "prompts", not both'],
    [{ input: '' }, 'field "input" must be'],
    [{ input: 'a', jobId: 'bad id!' }, 'field "jobId" must be 1 to 128 letters'],
    [{ input: 'a', generation: 12 }, 'field "generation" must be an object generation'],
    [{ prompts: [] }, 'field "prompts" must be a non-empty list'],
    [
      { input: 'a', concurrency: 0 },
      'field "concurrency" must be an integer from 1 to 1000; got 0',
    ],
    [
      { input: 'a', options: { concurrency: -1 } },
      'field "options.concurrency" must be an integer from 1 to 1000',
    ],
    [{ input: 'a', inputs: 'b' }, 'field "inputs" is not a known field'],
    [{ input: 'a', model: 'x', options: { model: 'y' } }, 'option "model" is set twice'],
  ])('rejects %j', (data, message) => {
    expect(() => parseJobSpec(data)).toThrow(InvalidMessageError);
    expect(() => parseJobSpec(data)).toThrow(message);
  });
});

describe('parseInputUri', () => {
  it.each([
    ['gs://my-bucket/inputs/a.jsonl', { bucket: 'my-bucket', name: 'inputs/a.jsonl' }],
    ['inputs/a.jsonl', { bucket: 'default-bkt', name: 'inputs/a.jsonl' }],
    [
      'gs://b.example.com/x#1712345678901234',
      { bucket: 'b.example.com', name: 'x', generation: '1712345678901234' },
    ],
    ['  a b/c d.jsonl ', { bucket: 'default-bkt', name: 'a b/c d.jsonl' }],
  ])('%s', (input, ref) => {
    expect(parseInputUri(input, 'default-bkt')).toEqual(ref);
  });

  it.each([
    ['', 'default-bkt', 'object name is empty'],
    ['gs://bucket', 'default-bkt', 'object name is empty'],
    ['gs://bucket/', 'default-bkt', 'object name is empty'],
    ['../secret', 'default-bkt', '".." segments'],
    ['a/../../b', 'default-bkt', '".." segments'],
    ['./a', 'default-bkt', '".." segments'],
    ['/etc/passwd', 'default-bkt', 'absolute paths'],
    ['a//b', 'default-bkt', 'empty segments'],
    ['a\\b', 'default-bkt', 'control characters'],
    ['a\u0000b', 'default-bkt', 'control characters'],
    ['gs://UPPER/x', 'default-bkt', 'not a valid bucket name'],
    ['gs:///x', 'default-bkt', 'no bucket'],
    ['x', '', 'no bucket'],
    ['https://example.com/x', 'default-bkt', 'only gs:// URIs'],
  ])('rejects %j', (input, bucket, message) => {
    expect(() => parseInputUri(input, bucket)).toThrow(InvalidMessageError);
    expect(() => parseInputUri(input, bucket)).toThrow(message);
  });
});
