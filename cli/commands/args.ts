/** Argument parsers for commander options: they name the bad value and the expected form. */
import { InvalidArgumentError } from 'commander';

export function intArg(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`expected a whole number ≥ 0, got "${raw}"`);
  return n;
}

export function jsonArg<T>(raw: string): T {
  try {
    return JSON.parse(raw) as T;
  } catch {
    throw new InvalidArgumentError(`expected JSON, got ${raw}`);
  }
}
