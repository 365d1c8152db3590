/**
 * The deterministic "model": turns a prompt into Python to run, or nothing (→ text answer).
 * Rules, tried in order: a fenced python block; arithmetic; the task templates below.
 */
import { plotCode } from './plot-code.ts';

export interface CodePlan {
  /** Short text part sent before the code. */
  intro: string;
  code: string;
  /** True for user code: the emulator never rewrites it beyond adding missing imports. */
  fromUser: boolean;
}

const FENCE = /```(?:python|py)[ \t]*\r?\n([\s\S]*?)```/i;
/** Digits, + - * / % ( ) . spaces; `**` and `//` fall out of the same set. */
const SAFE_EXPR = /^[\d\s+\-*/%().]+$/;
const ARITH = /\b(?:what is|what's|compute|calculate|evaluate)\s+([\d\s+\-*/%().]+)/i;
const NUMBER_LIST = /(-?\d+(?:\.\d+)?(?:\s*,\s*-?\d+(?:\.\d+)?)+)/;

const py = (s: string): string => JSON.stringify(s);

/** A validated arithmetic expression, or undefined. */
export function arithmetic(prompt: string): string | undefined {
  const m = ARITH.exec(prompt);
  const expr = m?.[1]?.trim().replace(/[.\s]+$/, '');
  if (!expr || !SAFE_EXPR.test(expr) || !/\d/.test(expr) || !/[+\-*/%]/.test(expr))
    return undefined;
  let depth = 0;
  for (const c of expr) {
    depth += c === '(' ? 1 : c === ')' ? -1 : 0;
    if (depth < 0) return undefined;
  }
  return depth === 0 ? expr : undefined;
}

function numbers(text: string): number[] | undefined {
  const m = NUMBER_LIST.exec(text);
  return m?.[1]?.split(',').map((s) => Number(s.trim()));
}

type Template = (prompt: string) => CodePlan | undefined;

const plan = (intro: string, code: string): CodePlan => ({ intro, code, fromUser: false });

const TEMPLATES: Template[] = [
  (p) => {
    const m = /sum of the first (\d+) primes?/i.exec(p);
    if (!m) return undefined;
    const n = Number(m[1]);
    return plan(
      `I'll sum the first ${n} primes with Python.`,
      `primes = []\ncandidate = 2\nwhile len(primes) < ${n}:\n    if all(candidate % p for p in primes if p * p <= candidate):\n        primes.append(candidate)\n    candidate += 1\nprint(sum(primes))\n`,
    );
  },
  (p) => {
    const m =
      /(\d+)(?:st|nd|rd|th)?\s+fibonacci/i.exec(p) ??
      /fibonacci number\s+(?:number\s+)?(\d+)/i.exec(p);
    if (!m) return undefined;
    return plan(
      `I'll compute Fibonacci number ${m[1]} (F(0)=0, F(1)=1) iteratively.`,
      `a, b = 0, 1\nfor _ in range(${Number(m[1])}):\n    a, b = b, a + b\nprint(a)\n`,
    );
  },
  (p) => {
    const m = /factorial of (\d+)/i.exec(p);
    if (!m) return undefined;
    return plan(
      `I'll use math.factorial.`,
      `import math\nprint(math.factorial(${Number(m[1])}))\n`,
    );
  },
  (p) => {
    const list = /\bsort\b/i.test(p) ? numbers(p) : undefined;
    if (!list) return undefined;
    return plan(
      `I'll sort the numbers in ascending order.`,
      `print(sorted([${list.join(', ')}]))\n`,
    );
  },
  (p) => {
    const m = /\b(mean|average|median|standard deviation|stdev)\b/i.exec(p);
    const list = m ? numbers(p) : undefined;
    if (!m || !list) return undefined;
    const fn = { mean: 'mean', average: 'mean', median: 'median' }[m[1]!.toLowerCase()] ?? 'stdev';
    return plan(
      `I'll use Python's statistics.${fn}${fn === 'stdev' ? ' (sample standard deviation)' : ''}.`,
      `import statistics\ndata = [${list.join(', ')}]\nprint(statistics.${fn}(data))\n`,
    );
  },
  (p) => {
    const m = /solve\s+(.+?)\s+for\s+([a-z])\b/i.exec(p);
    if (!m || !/^[\da-z\s+\-*/().=^]+$/i.test(m[1]!)) return undefined;
    const [lhs = '', rhs = '0'] = m[1]!.replace(/\^/g, '**').split('=');
    return plan(
      `I'll solve the equation symbolically with sympy.`,
      `import sympy\n${m[2]} = sympy.symbols(${py(m[2]!)})\nequation = sympy.Eq(sympy.sympify(${py(lhs)}), sympy.sympify(${py(rhs)}))\nprint(sympy.solve(equation, ${m[2]}))\n`,
    );
  },
  (p) => {
    if (!/\bplot\b/i.test(p)) return undefined;
    const m = /\bplot\s+(?:y\s*=\s*)?([\dx\s+\-*/().]+?)(?:\s+(?:for|from|over)\b|[?!.]?$)/i.exec(
      p,
    );
    const expr = m?.[1]?.trim() && /x/.test(m[1]) ? m[1].trim() : 'x**2';
    return plan(`I'll plot y = ${expr} and save it as plot.png.`, plotCode(expr));
  },
  (p) => {
    const m = /sleep for (\d+(?:\.\d+)?) seconds?/i.exec(p);
    if (!m) return undefined;
    return plan(
      `I'll sleep for ${m[1]} seconds.`,
      `import time\nprint("sleeping", flush=True)\ntime.sleep(${Number(m[1])})\nprint("done")\n`,
    );
  },
];

/** The code the model would run for this prompt, or undefined for a plain text answer. */
export function planCode(prompt: string): CodePlan | undefined {
  const fence = FENCE.exec(prompt);
  if (fence?.[1] !== undefined) {
    return { intro: "I'll run the code you provided.", code: fence[1], fromUser: true };
  }
  const expr = arithmetic(prompt);
  if (expr) return plan(`I'll evaluate ${expr} with Python.`, `print(${expr})\n`);
  for (const t of TEMPLATES) {
    const p = t(prompt);
    if (p) return p;
  }
  return undefined;
}

const KNOWN_MODULES: Record<string, string> = {
  math: 'import math',
  statistics: 'import statistics',
  random: 'import random',
  re: 'import re',
  json: 'import json',
  itertools: 'import itertools',
  functools: 'import functools',
  collections: 'import collections',
  fractions: 'import fractions',
  decimal: 'import decimal',
  datetime: 'import datetime',
  time: 'import time',
  sympy: 'import sympy',
  numpy: 'import numpy',
  np: 'import numpy as np',
  sp: 'import sympy as sp',
};

/**
 * The one deterministic fix the model applies to failed code: a NameError for a well-known module
 * name (e.g. `math`, `np`) → prepend the import and run again. Anything else is not retried.
 */
export function fixCode(code: string, stderr: string): string | undefined {
  const m = /NameError: name '(\w+)' is not defined/.exec(stderr);
  const line = m ? KNOWN_MODULES[m[1]!] : undefined;
  return line && !code.includes(line) ? `${line}\n${code}` : undefined;
}
