/**
 * Fault decisions. Each is a pure function of (seed, prompt key, per-key request number), so a run
 * faults the same prompts and attempts every time, however requests interleave. Markers in the
 * prompt (`[[fault:503x2]]`) script faults exactly; rate-based faults apply to the rest.
 */
import { createHash } from 'node:crypto';
import { MARKER } from './request.ts';
import type { FaultConfig } from './types.ts';

export const FAULT_KINDS = [
  '429',
  '500',
  '503',
  '504',
  '400',
  '403',
  '404',
  'hang',
  'reset',
  'truncate',
  'midstream',
  'slow',
  'blocked',
  'maxtokens',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultDecision {
  kind?: FaultKind;
  /** Delay before answering (from `latencyMs` or a `slowNNNN` marker). */
  latencyMs: number;
}

/** Uniform number in [0,1) from the seeded hash of the parts. */
export function unit(...parts: (string | number)[]): number {
  const h = createHash('sha256').update(parts.join('\u0000')).digest();
  return h.readUInt32BE(0) / 2 ** 32;
}

/** The scripted fault for the `attempt`-th request (0-based) of a prompt, if its text has markers. */
export function markerFault(text: string, attempt: number): FaultDecision | undefined {
  let start = 0;
  let seen = false;
  for (const m of text.matchAll(MARKER)) {
    seen = true;
    const spec = (m[1] ?? '').toLowerCase();
    const times = m[2] === undefined ? Infinity : Number(m[2]);
    if (attempt < start + times) {
      const slow = /^slow(\d+)$/.exec(spec);
      if (slow) return { kind: 'slow', latencyMs: Number(slow[1]) };
      const kind = FAULT_KINDS.find((k) => k === spec && k !== 'slow');
      return kind ? { kind, latencyMs: 0 } : { latencyMs: 0 };
    }
    start += times;
  }
  return seen ? { latencyMs: 0 } : undefined;
}

/** Rate-based decision for one request. `truncate`/`midstream` only fire where they apply. */
export function rateFault(
  cfg: FaultConfig,
  key: string,
  attempt: number,
  stream: boolean,
): FaultDecision {
  const seed = cfg.seed ?? 0;
  const lat = cfg.latencyMs;
  const latencyMs = lat
    ? Math.round(lat.min + unit(seed, 'latency', key, attempt) * (lat.max - lat.min))
    : 0;
  const u = unit(seed, 'fault', key, attempt);
  const table: [FaultKind, number | undefined][] = [
    ['429', cfg.rate429],
    ['500', cfg.rate500],
    ['503', cfg.rate503],
    ['504', cfg.rate504],
    ['hang', cfg.hangRate],
    ['reset', cfg.resetRate],
    ['truncate', cfg.truncateRate],
    ['midstream', stream ? cfg.midStreamErrorRate : 0],
  ];
  let acc = 0;
  for (const [kind, rate] of table) {
    acc += rate ?? 0;
    if (u < acc) return { kind, latencyMs };
  }
  return { latencyMs };
}

/** Validates a FaultConfig (from code or `POST /_emulator/faults`), naming the bad field. */
export function validateFaults(input: unknown): FaultConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new Error('faults: expected a JSON object like {"rate503":0.1,"seed":1}');
  }
  const f = input as Record<string, unknown>;
  const rates = [
    'rate429',
    'rate500',
    'rate503',
    'rate504',
    'hangRate',
    'resetRate',
    'truncateRate',
    'midStreamErrorRate',
  ];
  const known = new Set([...rates, 'seed', 'retryDelaySeconds', 'latencyMs', 'rpm']);
  for (const k of Object.keys(f)) if (!known.has(k)) throw new Error(`faults.${k}: unknown field`);
  for (const k of rates) {
    const v = f[k];
    if (v !== undefined && (typeof v !== 'number' || !(v >= 0 && v <= 1))) {
      throw new Error(`faults.${k}: must be a number between 0 and 1, got ${JSON.stringify(v)}`);
    }
  }
  for (const k of ['seed', 'retryDelaySeconds', 'rpm']) {
    const v = f[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
      throw new Error(`faults.${k}: must be a non-negative number, got ${JSON.stringify(v)}`);
    }
  }
  const lat = f.latencyMs;
  if (lat !== undefined) {
    const l = lat as Record<string, unknown> | null;
    if (
      !l ||
      typeof l.min !== 'number' ||
      typeof l.max !== 'number' ||
      l.min < 0 ||
      l.max < l.min
    ) {
      throw new Error('faults.latencyMs: must be {"min":ms,"max":ms} with 0 <= min <= max');
    }
  }
  return f;
}

/** Mutable per-emulator fault state: per-prompt-key counters and the rolling rpm window. */
export function createFaultState() {
  const counters = new Map<string, number>();
  let window: number[] = [];
  return {
    /** Returns this request's 0-based number for the key and counts it. */
    next(key: string): number {
      const n = counters.get(key) ?? 0;
      counters.set(key, n + 1);
      return n;
    },
    /** Admits one request under `rpm` per rolling 60 s; false when over quota. */
    admit(now: number, rpm: number | undefined): boolean {
      if (rpm === undefined) return true;
      window = window.filter((t) => t > now - 60_000);
      if (window.length >= rpm) return false;
      window.push(now);
      return true;
    },
    reset(): void {
      counters.clear();
      window = [];
    },
  };
}
