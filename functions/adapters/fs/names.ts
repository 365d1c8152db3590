/**
 * Object names → paths under the store's root. Names are `/`-separated and may never leave the
 * root (DESIGN promise 6): '..', '.', empty segments, absolute paths, drive letters, backslashes
 * and NUL are rejected with InvalidMessageError.
 */
import { resolve, sep } from 'node:path';
import { InvalidMessageError } from '../../pipeline/errors.ts';

/** Prefix of in-flight temporary files; they are skipped by list and reserved as names. */
export const TEMP_PREFIX = '.sluice-tmp-';

function reject(name: string, why: string): never {
  throw new InvalidMessageError(
    `Object name ${JSON.stringify(name)} ${why}; use a relative '/'-separated name inside the store.`,
  );
}

function checkSegments(name: string, segments: string[]): void {
  if (name.includes('\0')) reject(name, 'contains NUL');
  if (name.includes('\\')) reject(name, 'contains a backslash');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) reject(name, 'is absolute');
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..')
      reject(name, `has a '${segment}' path segment`);
    if (segment.startsWith(TEMP_PREFIX)) reject(name, `uses the reserved prefix ${TEMP_PREFIX}`);
  }
}

function inside(root: string, path: string, name: string): string {
  if (path !== root && !path.startsWith(root + sep)) reject(name, 'escapes the store root');
  return path;
}

/** The file path of an object name. */
export function objectPath(root: string, name: string): string {
  if (name === '') reject(name, 'is empty');
  const segments = name.split('/');
  checkSegments(name, segments);
  return inside(root, resolve(root, ...segments), name);
}

/**
 * The directory to walk for a list prefix: its part up to the last '/', validated like a name.
 * Returns the root for prefixes without '/'.
 */
export function prefixDirectory(root: string, prefix: string): string {
  const cut = prefix.lastIndexOf('/');
  if (prefix.includes('\0') || prefix.includes('\\')) reject(prefix, 'contains NUL or a backslash');
  if (cut === -1) return root;
  const dir = prefix.slice(0, cut);
  const segments = dir.split('/');
  checkSegments(prefix, segments);
  return inside(root, resolve(root, ...segments), prefix);
}
