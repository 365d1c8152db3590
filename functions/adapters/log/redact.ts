/**
 * Redaction of secret-looking keys before anything is logged (DESIGN promise 6): API keys,
 * tokens, secrets, passwords, authorization headers, at any depth.
 */

// Ends in key/token (apiKey, x-goog-api-key, accessToken) or names a secret anywhere. Counters such
// as `totalTokens` or `promptTokenCount` stay visible: they end in neither.
const SECRET_KEY = /(key|token)$|secret|passw|authorization|cookie|credential/i;
const REDACTED = '[redacted]';

/** True when a field of this name must never be logged. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** A copy of `value` with secret-looking keys replaced; cycles are cut. */
export function redact(value: unknown, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretKey(k) ? REDACTED : redact(v, seen);
  }
  return out;
}
