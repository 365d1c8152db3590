/**
 * File-name-safe forms of ids, for objects named after a prompt (images). Ids are user data and
 * may hold any character; object names must not escape their folder (DESIGN promise 6).
 */

/** FNV-1a 32-bit hash as 8 hex digits: short, stable, no crypto needed. */
export function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * `id` itself when it is already safe (letters, digits, `.`, `_`, `-`, at most 100 characters,
 * not starting with `.`); otherwise a cleaned prefix plus `~` and a hash of the id, so two ids that
 * clean to the same text still get different names.
 */
export function safeId(id: string): string {
  if (/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/.test(id)) return id;
  const cleaned = id
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 80);
  return `${cleaned}~${fnv1a(id)}`;
}
