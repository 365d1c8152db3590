/**
 * Every schema's examples: valid ones must pass, invalid ones must fail. Loaded with a fresh
 * ajv (2020-12 + formats), independent of the core's validator, plus the core's own
 * validator so both agree.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { resolveJobOptions } from '../../functions/pipeline/job-options.ts';
import { parseJobSpec } from '../../functions/pipeline/job-spec.ts';
import { normalizeKeys } from '../../functions/pipeline/request.ts';
import { SCHEMAS, isValid } from '../../functions/pipeline/schema-validator.ts';
import type { Json } from '../../functions/pipeline/types.ts';
import type { SchemaName } from '../../functions/pipeline/schema-validator.ts';

const root = new URL('../../schemas/', import.meta.url);
const names = Object.keys(SCHEMAS) as SchemaName[];

function examples(name: string, kind: 'valid' | 'invalid'): [string, unknown][] {
  const dir = new URL(`examples/${name}/${kind}/`, root);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as unknown]);
}

const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true });
addFormatsModule.default(ajv);
for (const name of names) {
  ajv.addSchema(JSON.parse(readFileSync(new URL(`${name}.schema.json`, root), 'utf8')) as object);
}

describe('schemas', () => {
  it('has one schema file per name, each a 2020-12 schema with an $id', () => {
    const files = readdirSync(root)
      .filter((f) => f.endsWith('.schema.json'))
      .sort();
    expect(files).toEqual(names.map((n) => `${n}.schema.json`).sort());
    for (const name of names) {
      expect(SCHEMAS[name].$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(SCHEMAS[name].$id).toBe(`https://schemas.sluice.dev/${name}.schema.json`);
    }
  });

  describe.each(names)('%s', (name) => {
    const validate = ajv.getSchema(SCHEMAS[name].$id);

    it('has at least two valid and two invalid examples', () => {
      expect(examples(name, 'valid').length).toBeGreaterThanOrEqual(2);
      expect(examples(name, 'invalid').length).toBeGreaterThanOrEqual(2);
    });

    it.each(examples(name, 'valid'))('accepts valid/%s', (_file, value) => {
      expect(validate?.(value), JSON.stringify(validate?.errors)).toBe(true);
      expect(isValid(name, value)).toBe(true);
    });

    it.each(examples(name, 'invalid'))('rejects invalid/%s', (_file, value) => {
      expect(validate?.(value)).toBe(false);
      expect(isValid(name, value)).toBe(false);
    });
  });
});

describe('examples/', () => {
  const dir = new URL('../../examples/', import.meta.url);
  it.each(readdirSync(dir).filter((f) => f.endsWith('.jsonl')))(
    'every line of %s is a valid input line',
    (file) => {
      const lines = readFileSync(new URL(file, dir), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '');
      expect(lines.length).toBeGreaterThanOrEqual(5);
      for (const line of lines)
        expect(isValid('input-line', normalizeKeys(JSON.parse(line) as Json))).toBe(true);
    },
  );

  it('nightly-eval.job.json is a valid job spec', () => {
    const spec = parseJobSpec(
      JSON.parse(readFileSync(new URL('nightly-eval.job.json', dir), 'utf8')),
    );
    expect(spec.input).toMatch(/^gs:\/\//);
    expect(() => resolveJobOptions(spec.options)).not.toThrow();
  });
});
