/**
 * Walks the ES module import graph of compiled JS from an entry file: the local files it reaches
 * (including imported JSON) and the bare package names it imports. tsc output is plain ESM, so
 * a lexical scan of static `import`/`export ... from` and literal dynamic `import('...')` is
 * exact enough; an unresolvable relative import is an error, never silently dropped.
 */
import { readFile, stat } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';

const STATIC = /(?:^|[;\n}])\s*(?:import|export)\s*(?:[\w*${}\s,]*?\bfrom\s*)?["']([^"']+)["']/g;
const DYNAMIC = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

export interface ImportGraph {
  /** Files reached, relative to `root`, forward slashes, sorted. */
  files: string[];
  /** Bare package names imported (scope included), sorted. */
  packages: string[];
}

/** Package name of a bare specifier: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Strips block and line comments, so imports quoted in TSDoc examples are not followed. */
function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:"'`\\])\/\/.*$/gm, '$1');
}

function specifiers(code: string): string[] {
  const clean = stripComments(code);
  return [...clean.matchAll(STATIC), ...clean.matchAll(DYNAMIC)].map((m) => m[1] ?? '');
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Walks from `entry` (absolute path); every local file must live under `root`. */
export async function walkImports(root: string, entry: string): Promise<ImportGraph> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = [resolve(entry)];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    if (!(await isFile(file))) throw new Error(`import graph: ${file} does not exist`);
    if (relative(root, file).startsWith('..')) {
      throw new Error(`import graph: ${file} is outside ${root}`);
    }
    seen.add(file);
    if (!file.endsWith('.js') && !file.endsWith('.mjs')) continue; // JSON and other assets
    const code = await readFile(file, 'utf8');
    for (const spec of specifiers(code)) {
      if (spec.startsWith('.') || spec.startsWith('/')) {
        const target = resolve(dirname(file), spec);
        if (!(await isFile(target))) {
          throw new Error(`import graph: "${spec}" in ${relative(root, file)} does not resolve`);
        }
        queue.push(target);
      } else if (!spec.startsWith('node:') && !isBuiltin(spec)) {
        packages.add(packageName(spec));
      }
    }
  }
  return {
    files: [...seen].map((f) => relative(root, f).split(sep).join('/')).sort(),
    packages: [...packages].sort(),
  };
}
