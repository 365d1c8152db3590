/**
 * Builds the deploy artifact once into a temp folder, the way `npm run package` does (tsc with
 * tsconfig.build.json's options, then scripts/package.ts), but with private dist/ and build/ folders so
 * parallel runs and colleagues' builds never race on the shared ones. Then installs it offline.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '..', '..');
export const HAS_FUNCTIONS = existsSync(join(REPO, 'functions', 'index.ts'));

export interface Built {
  root: string;
  dist: string;
  dir: string;
  zip: string;
  installed: string;
  log: string;
}

function run(cmd: string, args: string[], cwd: string): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 180_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}\n${r.stderr ?? ''}` };
}

/** Compiles, packages and installs; throws with the tool output when a step fails. */
export function buildAndInstall(): Built {
  const root = mkdtempSync(join(tmpdir(), 'sluice-package-'));
  const dist = join(root, 'dist');
  const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
  // tsconfig.build.json narrowed to functions/ (cli/ and emulators/ never ship): same options,
  // same dist layout, half the compile time on a shared machine.
  const tsconfig = join(root, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(REPO, 'tsconfig.build.json'),
      compilerOptions: { outDir: dist, rootDir: REPO, sourceMap: false },
      include: [join(REPO, 'functions')],
    }),
  );
  const compiled = run(process.execPath, [tsc, '-p', tsconfig], REPO);
  // tsc emits even with type errors (typecheck is its own CI step); the artifact needs the JS.
  if (!existsSync(join(dist, 'functions', 'index.js'))) {
    throw new Error(`tsc produced no functions/index.js:\n${compiled.out}`);
  }
  const script = join(REPO, 'scripts', 'package.ts');
  const packed = run(
    process.execPath,
    [script, '--dist', dist, '--out', join(root, 'build')],
    REPO,
  );
  if (!packed.ok) throw new Error(`scripts/package.ts failed:\n${packed.out}`);
  const dir = join(root, 'build', 'function');
  const installed = join(root, 'installed');
  cpSync(dir, installed, { recursive: true });
  const args = ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'];
  const install = run('npm', args, installed);
  if (!install.ok) throw new Error(`npm ci --offline in the artifact failed:\n${install.out}`);
  return { root, dist, dir, zip: join(root, 'build', 'function.zip'), installed, log: packed.out };
}
