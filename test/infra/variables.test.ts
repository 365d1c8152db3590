/**
 * Runs Terraform itself where it can run offline: `terraform fmt -check`, and the variable
 * validations (a root module holding only infra/variables.tf needs no provider, so `init` and
 * `plan` work without the registry). Skips loudly when terraform is not on PATH.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INFRA_DIR, loadInfra, one, str } from './load-tf.ts';

const REPO = join(INFRA_DIR, '..');
const hasTerraform = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;
if (!hasTerraform) {
  console.warn('SKIPPING terraform fmt/validation checks: `terraform` is not on PATH');
}
// The three functions other than on_batch, at their defaults, for `functions=` overrides.
const FNS = [
  'on_upload={timeout_seconds=300,max_instances=10,concurrency=4,memory="512Mi",cpu="1"}',
  'on_job={timeout_seconds=300,max_instances=10,concurrency=4,memory="512Mi",cpu="1"}',
  'job_status={timeout_seconds=60,max_instances=5,concurrency=16,memory="256Mi",cpu="1"}',
].join(',');
const REQUIRED = ['-var=project=sluice-test-1', '-var=bucket=sluice-test-bucket'];

let dir = '';
const tf = (args: string[]) => {
  const run = spawnSync('terraform', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1' },
    timeout: 60_000,
  });
  return { ok: run.status === 0, out: `${run.stdout}\n${run.stderr}` };
};
const plan = (...vars: string[]) => tf(['plan', '-input=false', '-no-color', ...REQUIRED, ...vars]);

describe.skipIf(!hasTerraform)('terraform (offline)', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-tfvars-'));
    copyFileSync(join(INFRA_DIR, 'variables.tf'), join(dir, 'variables.tf'));
    const init = tf(['init', '-backend=false', '-input=false', '-no-color']);
    if (!init.ok) throw new Error(`terraform init failed:\n${init.out}`);
  });
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('infra/ is terraform fmt clean', () => {
    const run = spawnSync('terraform', ['fmt', '-check', '-recursive', 'infra'], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect(run.status, `not formatted: ${run.stdout}`).toBe(0);
  });

  it('accepts the defaults', () => {
    const run = plan();
    expect(run.ok, run.out).toBe(true);
  });

  it.each([
    ['runtime=nodejs20', 'nodejs22 or newer'],
    ['runtime=python312', 'nodejs22 or newer'],
    ['max_delivery_attempts=4', 'max_delivery_attempts must be 5..100'],
    ['max_delivery_attempts=101', 'max_delivery_attempts must be 5..100'],
    ['batch_max_deliveries=10', 'below max_delivery_attempts'],
    [
      `functions={${FNS},on_batch={timeout_seconds=600,max_instances=5,concurrency=1,memory="1Gi",cpu="1"}}`,
      'functions.on_batch.timeout_seconds must be 120..540',
    ],
    [
      `functions={${FNS},on_batch={timeout_seconds=100,max_instances=5,concurrency=1,memory="1Gi",cpu="1"}}`,
      'functions.on_batch.timeout_seconds must be 120..540',
    ],
    [
      `functions={${FNS}}`,
      'functions must have exactly the keys on_upload, on_job, on_batch and job_status',
    ],
    ['batch_deadline_margin_seconds=500', 'batch_deadline_margin_seconds must be'],
    ['status_invokers=["allUsers"]', 'must not contain allUsers'],
    ['tunables={SLUICE_BUCKET="other"}', 'tunables may only set'],
    ['gemini_api=both', 'gemini_api must be'],
    [`bucket=${'b'.repeat(57)}`, 'bucket must be 3-56 characters'],
  ])('rejects %s', (assignment, message) => {
    const run = plan(`-var=${assignment}`);
    expect(run.ok, run.out).toBe(false);
    expect(run.out.replace(/\s+/g, ' ')).toContain(message);
  });

  it('accepts nodejs24 and Developer API mode', () => {
    const run = plan('-var=runtime=nodejs24', '-var=gemini_api=developer');
    expect(run.ok, run.out).toBe(true);
  });
});

describe('runtime validation without terraform', () => {
  it('the runtime regex rejects nodejs20 and accepts nodejs22/24', async () => {
    const infra = await loadInfra();
    const runtime = infra.variables.runtime;
    expect(runtime?.default).toBe('nodejs22');
    const condition = str(one(runtime?.validation).condition);
    const pattern = /regex\("((?:[^"\\]|\\.)*)"/.exec(condition)?.[1];
    if (pattern === undefined) throw new Error(`no regex in ${condition}`);
    const re = new RegExp(JSON.parse(`"${pattern}"`) as string);
    expect(re.test('nodejs20')).toBe(false);
    expect(re.test('nodejs22')).toBe(true);
    expect(re.test('nodejs24')).toBe(true);
  });
});
