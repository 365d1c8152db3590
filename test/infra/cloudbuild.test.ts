import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

interface Step {
  id?: string;
  name: string;
  entrypoint?: string;
  args?: string[];
  dir?: string;
  waitFor?: string[];
}
interface Build {
  steps: Step[];
  substitutions?: Record<string, string>;
  options?: Record<string, unknown>;
}

const TEXT = readFileSync(join(import.meta.dirname, '..', '..', 'cloudbuild.yaml'), 'utf8');
const build = parse(TEXT) as Build;
const BUILT_IN = new Set([
  'PROJECT_ID',
  'PROJECT_NUMBER',
  'BUILD_ID',
  'LOCATION',
  'TRIGGER_NAME',
  'COMMIT_SHA',
  'SHORT_SHA',
  'REVISION_ID',
  'BRANCH_NAME',
  'TAG_NAME',
  'REPO_NAME',
  'REPO_FULL_NAME',
  'SERVICE_ACCOUNT_EMAIL',
  'SERVICE_ACCOUNT',
]);

const indexOf = (pred: (s: Step) => boolean): number => build.steps.findIndex(pred);
const isCheck = (s: Step): boolean => s.args?.join(' ') === 'run check';
const isDeploy = (s: Step): boolean => s.name.startsWith('hashicorp/terraform');

/** Ids a step waits for, transitively; no waitFor = every earlier step, ['-'] = none. */
function dependencies(i: number, seen = new Set<number>()): Set<number> {
  const step = build.steps[i] as Step;
  const direct =
    step.waitFor === undefined
      ? build.steps.map((_, j) => j).filter((j) => j < i)
      : step.waitFor.filter((id) => id !== '-').map((id) => indexOf((s) => s.id === id));
  for (const j of direct) {
    if (j < 0) throw new Error(`step ${step.id ?? i} waits for an unknown id`);
    if (!seen.has(j)) {
      seen.add(j);
      dependencies(j, seen);
    }
  }
  return seen;
}

describe('cloudbuild.yaml', () => {
  it('installs, checks and packages before it deploys, in that order', () => {
    const install = indexOf((s) => s.args?.[0] === 'ci');
    const check = indexOf(isCheck);
    const pack = indexOf((s) => s.args?.join(' ') === 'run package');
    const deploys = build.steps.map((s, i) => (isDeploy(s) ? i : -1)).filter((i) => i >= 0);
    expect(install).toBe(0);
    expect(check).toBeGreaterThan(install);
    expect(pack).toBeGreaterThan(check);
    expect(deploys.length).toBe(2);
    for (const d of deploys) expect(d).toBeGreaterThan(pack);
    const args = deploys.map((d) => build.steps[d]?.args?.[0]);
    expect(args).toEqual(['init', 'apply']);
    expect(build.steps[deploys[1] as number]?.args).toContain('-auto-approve');
  });

  it('never starts a deploy step unless check (and package) succeeded', () => {
    const check = indexOf(isCheck);
    const pack = indexOf((s) => s.args?.join(' ') === 'run package');
    build.steps.forEach((step, i) => {
      if (!isDeploy(step)) return;
      const deps = dependencies(i);
      expect(deps.has(check), `${step.id ?? i} must wait for check`).toBe(true);
      expect(deps.has(pack), `${step.id ?? i} must wait for package`).toBe(true);
    });
    expect(dependencies(pack).has(check)).toBe(true);
  });

  it('declares every user substitution it uses, and uses only known built-ins', () => {
    const used = [...TEXT.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g)].map((m) => m[1] ?? '');
    const declared = Object.keys(build.substitutions ?? {});
    for (const name of used) {
      if (name.startsWith('_')) expect(declared, `${name} is not declared`).toContain(name);
      else expect(BUILT_IN.has(name), `${name} is not a built-in substitution`).toBe(true);
    }
    for (const name of ['_REGION', '_BUCKET', '_TF_STATE_BUCKET', '_GEMINI_API']) {
      expect(declared).toContain(name);
    }
  });

  it('passes the state bucket to init and the project to apply; logs to Cloud Logging', () => {
    const [init, apply] = build.steps.filter(isDeploy);
    expect(init?.dir).toBe('infra');
    expect(init?.args).toContain('-backend-config=bucket=${_TF_STATE_BUCKET}');
    expect(apply?.args).toContain('-var=project=${PROJECT_ID}');
    expect(build.options?.logging).toBe('CLOUD_LOGGING_ONLY');
  });
});
