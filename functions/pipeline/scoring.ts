/**
 * Scores an answer against a line's `expected` value, for bulk evaluations. Rules:
 *
 * - a string: the normalised answer equals it (`exact`), or its normalised last non-empty line
 *   does, also after an "answer:" / "the answer is" lead-in (`final_line`);
 * - a number: the answer's LAST number is within a relative tolerance of 1e-6 (`number`);
 * - `{equals}`: normalised whole-answer equality; `{contains}`: normalised substring;
 *   `{regex, flags?}`: a regular-expression search; `{number, tolerance?}`: as a number with that
 *   relative tolerance; `{oneOf: [...]}` or a plain list: any alternative passes.
 *
 * Normalising lower-cases, drops markdown emphasis and backticks, collapses whitespace and trims
 * trailing `.`/`!`. `method` names the rule that decided (for a list, the one that passed).
 */
import type { Json, JsonObject, Score } from './types.ts';

const DEFAULT_TOLERANCE = 1e-6;

export function normalizeAnswer(text: string): string {
  return text
    .replace(/\*\*|__|`/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.!]+$/, '')
    .trim()
    .toLowerCase();
}

function lastLine(text: string): string {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines[lines.length - 1] ?? '';
}

/** The last number written in `text` (thousands separators allowed), or undefined. */
export function lastNumber(text: string): number | undefined {
  const matches = text.match(/-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?/g);
  const last = matches?.[matches.length - 1];
  return last === undefined ? undefined : Number(last.replace(/,/g, ''));
}

function withinTolerance(actual: number, expected: number, tolerance: number): boolean {
  if (actual === expected) return true;
  return Math.abs(actual - expected) <= tolerance * Math.abs(expected);
}

function isObject(value: Json): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type Verdict = { pass: boolean; method: string };

function scoreString(expected: string, text: string): Verdict {
  const want = normalizeAnswer(expected);
  if (normalizeAnswer(text) === want) return { pass: true, method: 'exact' };
  const final = normalizeAnswer(lastLine(text));
  const stripped = final.replace(/^(?:final answer|the answer is|answer|result)\s*[:=]?\s*/, '');
  return { pass: final === want || stripped === want, method: 'final_line' };
}

function scoreNumber(expected: number, text: string, tolerance: number): Verdict {
  const actual = lastNumber(text);
  return {
    pass: actual !== undefined && withinTolerance(actual, expected, tolerance),
    method: 'number',
  };
}

function judge(expected: Json, text: string): Verdict {
  if (typeof expected === 'string') return scoreString(expected, text);
  if (typeof expected === 'number') return scoreNumber(expected, text, DEFAULT_TOLERANCE);
  if (Array.isArray(expected)) return anyOf(expected, text);
  if (!isObject(expected)) return { pass: false, method: 'unsupported' };
  if (typeof expected.number === 'number') {
    const tolerance =
      typeof expected.tolerance === 'number' ? expected.tolerance : DEFAULT_TOLERANCE;
    return scoreNumber(expected.number, text, tolerance);
  }
  if (typeof expected.equals === 'string' || typeof expected.equals === 'number') {
    return {
      pass: normalizeAnswer(text) === normalizeAnswer(String(expected.equals)),
      method: 'equals',
    };
  }
  if (typeof expected.contains === 'string') {
    return {
      pass: normalizeAnswer(text).includes(normalizeAnswer(expected.contains)),
      method: 'contains',
    };
  }
  if (typeof expected.regex === 'string') {
    const flags = typeof expected.flags === 'string' ? expected.flags : '';
    try {
      return { pass: new RegExp(expected.regex, `${flags}u`).test(text), method: 'regex' };
    } catch {
      return { pass: false, method: 'regex (invalid pattern)' };
    }
  }
  if (Array.isArray(expected.oneOf)) return anyOf(expected.oneOf, text);
  return { pass: false, method: 'unsupported' };
}

function anyOf(alternatives: Json[], text: string): Verdict {
  const methods: string[] = [];
  for (const alternative of alternatives) {
    const verdict = judge(alternative, text);
    if (verdict.pass) return { pass: true, method: `oneOf:${verdict.method}` };
    methods.push(verdict.method);
  }
  return { pass: false, method: `oneOf:${[...new Set(methods)].join('|') || 'empty'}` };
}

/** Scores `text` against `expected`; a missing answer never passes. */
export function scoreAnswer(expected: Json, text: string | undefined): Score {
  if (text === undefined) return { expected, pass: false, method: 'no_answer' };
  const { pass, method } = judge(expected, text);
  return { expected, pass, method };
}
