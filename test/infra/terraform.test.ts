import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { VARIABLES } from '../../functions/config.ts';
import { batchNames, ckptName, jobNames } from '../../functions/pipeline/batch-names.ts';
import { envKeys, loadInfra, num, one, resolve, str, type Block, type Infra } from './load-tf.ts';

// Instance names of google_cloudfunctions2_function.fn (for_each over local.functions).
const ENTRY_POINTS: Record<string, string> = {
  'fn["on_upload"]': 'onUpload',
  'fn["on_job"]': 'onJob',
  'fn["on_batch"]': 'onBatch',
  'fn["job_status"]': 'jobStatus',
};
const PUBSUB_DRIVEN = ['fn["on_upload"]', 'fn["on_job"]', 'fn["on_batch"]'];
const SCHEMAS = join(import.meta.dirname, '..', '..', 'schemas');

let infra: Infra;
beforeAll(async () => {
  infra = await loadInfra();
});

const fn = (name: string): Block => {
  const body = infra.resources.google_cloudfunctions2_function?.[name];
  if (body === undefined) throw new Error(`google_cloudfunctions2_function.${name} is missing`);
  return body;
};
const subscriptions = (): [string, Block][] =>
  Object.entries(infra.resources.google_pubsub_subscription ?? {});

describe('functions', () => {
  it('declares the four functions with their entry points and a supported runtime', () => {
    for (const [name, entry] of Object.entries(ENTRY_POINTS)) {
      const build = one(fn(name).build_config);
      expect(build.entry_point, name).toBe(entry);
      expect(resolve(infra, build.runtime), name).toMatch(/^nodejs(2[2-9]|[3-9]\d)$/);
      expect(
        fn(name).event_trigger,
        `${name} must be HTTP, reached by our push subscription`,
      ).toBeUndefined();
    }
  });

  it('gives each Pub/Sub-driven function a push subscription with a drained dead-letter topic', () => {
    for (const name of PUBSUB_DRIVEN) {
      const pushes = subscriptions().filter(([, s]) =>
        str(one(s.push_config ?? [{}]).push_endpoint).includes(
          `google_cloudfunctions2_function.${name}.`,
        ),
      );
      expect(pushes, `push subscriptions of ${name}`).toHaveLength(1);
      const [subName, sub] = pushes[0] as [string, Block];
      const oidc = one(one(sub.push_config).oidc_token);
      expect(oidc.service_account_email).toMatch(/google_service_account\.\w+\.email/);

      const dlp = one(sub.dead_letter_policy);
      const attempts = num(infra, dlp.max_delivery_attempts);
      expect(attempts, subName).toBeGreaterThanOrEqual(5);
      expect(attempts, subName).toBeLessThanOrEqual(100);
      const drained = subscriptions().filter(([, s]) => s.topic === dlp.dead_letter_topic);
      expect(drained.length, `a subscription on ${str(dlp.dead_letter_topic)}`).toBe(1);
      expect(dlp.dead_letter_topic).not.toBe(sub.topic);

      const timeout = num(infra, one(fn(name).service_config).timeout_seconds);
      expect(timeout, `${name} timeout`).toBeLessThanOrEqual(540);
      expect(num(infra, sub.ack_deadline_seconds), subName).toBeGreaterThanOrEqual(timeout);
      expect(num(infra, sub.ack_deadline_seconds), subName).toBeLessThanOrEqual(600);
      expect(one(sub.retry_policy).maximum_backoff).toBe('600s');
      expect(one(sub.expiration_policy).ttl, `${subName} must never expire`).toBe('');
    }
  });

  it('keeps every timeout within the event-driven limit and the batch deadline below it', () => {
    for (const name of Object.keys(ENTRY_POINTS)) {
      expect(num(infra, one(fn(name).service_config).timeout_seconds)).toBeLessThanOrEqual(540);
    }
    const timeout = num(infra, one(fn('fn["on_batch"]').service_config).timeout_seconds);
    const margin = num(infra, '${var.batch_deadline_margin_seconds}');
    expect(str(infra.locals.batch_deadline_ms)).toContain('var.functions.on_batch.timeout_seconds');
    expect((timeout - margin) * 1000).toBeLessThan(timeout * 1000);
    expect(margin).toBeGreaterThanOrEqual(30);
  });

  it('sets every requiredInCloud variable and no unknown SLUICE_* one in each function', () => {
    const known = new Set<string>(VARIABLES.map((v) => v.name));
    const required = VARIABLES.filter((v) => v.requiredInCloud).map((v) => v.name);
    for (const name of Object.keys(ENTRY_POINTS)) {
      const keys = envKeys(infra, one(fn(name).service_config).environment_variables);
      for (const v of required) expect(keys, `${name} env`).toContain(v);
      const unknown = keys.filter((k) => k.startsWith('SLUICE_') && !known.has(k));
      expect(unknown, `${name} sets unknown variables`).toEqual([]);
    }
    const allowed = str(one(infra.variables.tunables?.validation).condition);
    for (const m of allowed.matchAll(/"(SLUICE_[A-Z0-9_]+)"/g)) {
      expect(known.has(m[1] ?? ''), `tunable ${m[1]} is not in config.ts VARIABLES`).toBe(true);
    }
  });

  it('passes the Gemini key only as a Secret Manager secret', () => {
    const all = Object.values(infra.files).join('\n');
    expect(all).not.toMatch(/GEMINI_API_KEY\s*=/);
    expect(str(infra.locals.gemini_key_secrets)).toContain('"GEMINI_API_KEY"');
    expect(infra.files['functions.tf']).toContain('dynamic "secret_environment_variables"');
  });
});

describe('IAM', () => {
  it('grants no primitive role anywhere', () => {
    for (const [file, text] of Object.entries(infra.files)) {
      expect(text, file).not.toMatch(/roles\/(owner|editor|viewer)\b/);
    }
  });

  it('uses every declared service account in some other resource', () => {
    const others = (skip: string): string =>
      JSON.stringify(
        Object.entries(infra.resources).map(([type, byName]) =>
          Object.entries(byName).filter(([n]) => `${type}.${n}` !== skip),
        ),
      );
    const accounts = Object.keys(infra.resources.google_service_account ?? {});
    expect(accounts.length).toBeGreaterThanOrEqual(5);
    for (const sa of accounts) {
      expect(others(`google_service_account.${sa}`), sa).toContain(`google_service_account.${sa}.`);
    }
  });

  it('never opens jobStatus to allUsers', () => {
    const text = Object.values(infra.files).join('\n');
    expect(text).not.toMatch(/member\s*=\s*"all(Users|AuthenticatedUsers)"/);
  });
});

describe('bucket', () => {
  it('is private with uniform access', () => {
    const data = infra.resources.google_storage_bucket?.data as Block;
    expect(data.uniform_bucket_level_access).toBe(true);
    expect(data.public_access_prevention).toBe('enforced');
  });

  const rules = (): { prefixes: string[]; suffixes: string[] }[] => {
    const data = infra.resources.google_storage_bucket?.data as Block;
    return (data.lifecycle_rule as Block[]).map((rule) => {
      expect(one(rule.action).type).toBe('Delete');
      const cond = one(rule.condition);
      return {
        prefixes: (cond.matches_prefix as string[] | undefined) ?? [],
        suffixes: (cond.matches_suffix as string[] | undefined) ?? [],
      };
    });
  };
  // GCS ANDs condition kinds and ORs the values inside one kind.
  const deletes = (name: string): boolean =>
    rules().some(
      (r) =>
        (r.prefixes.length === 0 || r.prefixes.some((p) => name.startsWith(p))) &&
        (r.suffixes.length === 0 || r.suffixes.some((s) => name.endsWith(s))),
    );

  it('lifecycle rules never delete results, summaries, batch finals or inputs', () => {
    const job: Record<string, string> = { ...jobNames('jobs/nightly-eval/') };
    const batch: { final: string; stats: string } = batchNames('jobs/nightly-eval/', 3);
    const kept = [
      ...Object.values(job),
      batch.final,
      batch.stats,
      'inputs/prompts.jsonl',
      'inputs/prompts.job.json',
      'evals/nightly.jsonl',
    ];
    for (const name of kept) expect(deletes(name), name).toBe(false);
    for (const r of rules()) expect(r.prefixes.length + r.suffixes.length).toBeGreaterThan(0);
  });

  it('lifecycle rules delete leases and compose temporaries', () => {
    expect(deletes(batchNames('jobs/j/', 0).lease)).toBe(true);
    // functions/adapters/gcs/compose.ts: `_compose/<dest>/<round>-<i>`
    expect(deletes('_compose/jobs/j/results.jsonl/0-1')).toBe(true);
  });

  const ckpt = ckptName(batchNames('jobs/j/', 0), 'tok', 1);
  it('lifecycle rules delete checkpoint chunks (GCS matches only prefix/suffix: chunks end in .ckpt.jsonl)', () => {
    expect(ckpt.endsWith('.ckpt.jsonl')).toBe(true);
    expect(deletes(ckpt)).toBe(true);
  });
});

describe('scheduled evaluation', () => {
  const schemaFile = join(SCHEMAS, 'job-spec.schema.json');
  const spec = (): unknown =>
    JSON.parse(
      JSON.stringify(infra.variables.eval_job_spec?.default).replaceAll('@BUCKET@', 'my-bucket'),
    );

  it('publishes to the jobs topic with the scheduledRun attribute', () => {
    const job = infra.resources.google_cloud_scheduler_job?.eval as Block;
    const target = one(job.pubsub_target);
    expect(target.topic_name).toBe('${google_pubsub_topic.jobs.id}');
    expect(str(target.data)).toMatch(/^\$\{base64encode\(.*jsonencode\(var\.eval_job_spec\)/);
    expect(one(target.attributes)).toEqual({ scheduledRun: 'true' });
    expect(spec()).not.toHaveProperty('jobId');
  });

  it('default job spec validates against schemas/job-spec.schema.json', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const addFormats = addFormatsModule as unknown as (a: Ajv2020) => Ajv2020;
    addFormats(ajv);
    for (const f of readdirSync(SCHEMAS).filter((n) => n.endsWith('.schema.json'))) {
      ajv.addSchema(JSON.parse(readFileSync(join(SCHEMAS, f), 'utf8')) as object);
    }
    const { $id } = JSON.parse(readFileSync(schemaFile, 'utf8')) as { $id: string };
    const validate = ajv.getSchema($id);
    if (validate === undefined) throw new Error(`schema ${$id} did not load`);
    expect(validate(spec()), ajv.errorsText(validate.errors)).toBe(true);
    // The check can fail: an unknown field is rejected.
    expect(validate({ ...(spec() as object), nightly: true })).toBe(false);
  });
});
