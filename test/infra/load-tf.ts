/**
 * Loads every infra/*.tf through @cdktf/hcl2json into one merged JSON tree, and resolves the few
 * expression forms the checks need (`${var.x}`, `${var.x.field}`, `${local.x}`) from variable
 * defaults and locals. Terraform itself cannot run offline (no provider), so this is what the
 * tests can read. A resource with `for_each = local.x` (or `var.x` with a map default) becomes
 * one instance per key, named like Terraform's address (`push["uploads"]`), with `each.key` and
 * `each.value.<field>` substituted (see expandForEach).
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
  for (const [type, byName] of Object.entries(infra.resources)) {
    infra.resources[type] = expandResources(infra, byName);
  }
  return infra;
}

/** Replaces every for_each resource whose key set is known statically by its instances. */
function expandResources(infra: Infra, byName: Record<string, Block>): Record<string, Block> {
  const out: Record<string, Block> = {};
  for (const [name, body] of Object.entries(byName)) {
    const map = forEachMap(infra, body.for_each);
    if (map === undefined) {
      out[name] = body;
      continue;
    }
    for (const [key, instance] of Object.entries(expandForEach(body, map))) {
      out[`${name}["${key}"]`] = instance;
    }
  }
  return out;
}

/** The map a `for_each` iterates, when it is a literal map, `local.x` or a `var.x` default. */
function forEachMap(infra: Infra, value: Hcl | undefined): Block | undefined {
  if (isBlock(value)) return value;
  if (typeof value !== 'string' || !/^\$\{(local|var)\.[\w-]+\}$/.test(value)) return undefined;
  const map = resolve(infra, value);
  return isBlock(map) ? map : undefined;
}

/** An each.value field as expression text: `${x}` gives x, a literal gives its HCL literal. */
function asExpression(value: Hcl): string {
  if (typeof value === 'string') {
    const whole = /^\$\{(.*)\}$/s.exec(value);
    return whole?.[1] ?? JSON.stringify(value);
  }
  return JSON.stringify(value);
}

/**
 * One body per key of `map`, without `for_each`: a whole `${each.value.f}` becomes the field's
 * value, a whole `${each.key}` the key; inside larger expressions `${each.key}` interpolation
 * becomes the key text, `each.key` the quoted key and `each.value.f` the field's expression.
 * A field the map lacks throws, naming it.
 */
export function expandForEach(body: Block, map: Block): Record<string, Block> {
  const out: Record<string, Block> = {};
  for (const [key, eachValue] of Object.entries(map)) {
    const field = (name: string): Hcl => {
      const found = isBlock(eachValue) ? eachValue[name] : undefined;
      if (found === undefined) throw new Error(`each.value.${name} is missing for key ${key}`);
      return found;
    };
    const sub = (value: Hcl): Hcl => {
      if (Array.isArray(value)) return value.map(sub);
      if (isBlock(value))
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sub(v)]));
      if (typeof value !== 'string') return value;
      if (value === '${each.key}') return key;
      const whole = /^\$\{each\.value\.([\w-]+)\}$/.exec(value);
      if (whole !== null) return field(whole[1] ?? '');
      return value
        .replaceAll('${each.key}', key)
        .replace(/\beach\.key\b/g, JSON.stringify(key))
        .replace(/\beach\.value\.([\w-]+)/g, (_m, f: string) => asExpression(field(f)));
    };
    const { for_each: _dropped, ...rest } = body;
    out[key] = sub(rest) as Block;
  }
  return out;
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
  const ref = /^\$\{(var|local)\.([\w-]+)((?:\.[\w-]+|\["[\w-]+"\])*)\}$/.exec(value);
  if (ref === null) {
    if (value.includes('${')) throw new Error(`resolve: cannot evaluate ${value}`);
    return value;
  }
  const [, kind, name = '', path = ''] = ref;
  let found: Hcl | undefined = kind === 'var' ? infra.variables[name]?.default : infra.locals[name];
  if (found === undefined) throw new Error(`resolve: ${kind}.${name} has no value`);
  for (const key of path.split(/[.[\]"]+/).filter(Boolean)) {
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
