/**
 * Loads every infra/*.tf through @cdktf/hcl2json into one merged JSON tree, and resolves the few
 * expression forms the checks need (`${var.x}`, `${var.x.field}`, `${local.x}`) from variable
 * defaults and locals. Terraform itself cannot run offline (no provider), so this is what the
 * tests can read.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';

/** A parsed HCL value: hcl2json yields JSON; expressions are strings like "${...}". */
export type Hcl = string | number | boolean | null | Hcl[] | { [key: string]: Hcl };
export type Block = { [key: string]: Hcl };

export interface Infra {
  files: Record<string, string>;
  /** resource type → name → body (hcl2json wraps every block body in a one-element list). */
  resources: Record<string, Record<string, Block>>;
  variables: Record<string, Block>;
  locals: Record<string, Hcl>;
  outputs: Record<string, Block>;
}

export const INFRA_DIR = join(import.meta.dirname, '..', '..', 'infra');

function isBlock(value: Hcl | undefined): value is Block {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** First body of a repeated block (`x[0]`), or the value itself. */
export function one(value: Hcl | undefined): Block {
  const first = Array.isArray(value) ? value[0] : value;
  if (!isBlock(first)) throw new Error(`expected a block, got ${JSON.stringify(value)}`);
  return first;
}

export async function loadInfra(dir = INFRA_DIR): Promise<Infra> {
  const infra: Infra = { files: {}, resources: {}, variables: {}, locals: {}, outputs: {} };
  const names = (await readdir(dir)).filter((n) => n.endsWith('.tf')).sort();
  for (const name of names) {
    const text = await readFile(join(dir, name), 'utf8');
    infra.files[name] = text;
    const tree = (await parse(name, text)) as Block;
    for (const [type, byName] of Object.entries(isBlock(tree.resource) ? tree.resource : {})) {
      for (const [rname, body] of Object.entries(isBlock(byName) ? byName : {})) {
        (infra.resources[type] ??= {})[rname] = one(body);
      }
    }
    for (const [vname, body] of Object.entries(isBlock(tree.variable) ? tree.variable : {})) {
      infra.variables[vname] = one(body);
    }
    for (const [oname, body] of Object.entries(isBlock(tree.output) ? tree.output : {})) {
      infra.outputs[oname] = one(body);
    }
    for (const block of Array.isArray(tree.locals) ? tree.locals : []) {
      Object.assign(infra.locals, isBlock(block) ? block : {});
    }
  }
  return infra;
}

/**
 * Resolves a whole-expression reference to a variable default or a local, following chains.
 * Literals come back as they are; anything else throws, naming the expression.
 */
export function resolve(infra: Infra, value: Hcl | undefined): Hcl {
  if (typeof value !== 'string') {
    if (value === undefined) throw new Error('resolve: value is missing');
    return value;
  }
  const ref = /^\$\{(var|local)\.([\w-]+)((?:\.[\w-]+)*)\}$/.exec(value);
  if (ref === null) {
    if (value.includes('${')) throw new Error(`resolve: cannot evaluate ${value}`);
    return value;
  }
  const [, kind, name = '', path = ''] = ref;
  let found: Hcl | undefined = kind === 'var' ? infra.variables[name]?.default : infra.locals[name];
  if (found === undefined) throw new Error(`resolve: ${kind}.${name} has no value`);
  for (const key of path.split('.').filter(Boolean)) {
    found = isBlock(found) ? found[key] : undefined;
    if (found === undefined) throw new Error(`resolve: ${value} has no value`);
  }
  return resolve(infra, found);
}

/** A resolved number, or a thrown error naming the expression. */
export function num(infra: Infra, value: Hcl | undefined): number {
  const v = resolve(infra, value);
  if (typeof v !== 'number') throw new Error(`expected a number, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * Keys an environment expression can set: object keys of a literal map, followed through
 * `local.x` references and `merge(...)`/conditional expressions by scanning for `NAME =`.
 */
export function envKeys(infra: Infra, value: Hcl | undefined, seen = new Set<string>()): string[] {
  if (isBlock(value)) return Object.keys(value);
  if (typeof value !== 'string') return [];
  const keys = [...value.matchAll(/\b([A-Z][A-Z0-9_]*)\s*=/g)].map((m) => m[1] ?? '');
  for (const m of value.matchAll(/\blocal\.([\w-]+)/g)) {
    const name = m[1] ?? '';
    if (seen.has(name)) continue;
    seen.add(name);
    keys.push(...envKeys(infra, infra.locals[name], seen));
  }
  return [...new Set(keys)];
}

/** An expression or literal as text (expressions are already strings; blocks become JSON). */
export function str(value: Hcl | undefined): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}
