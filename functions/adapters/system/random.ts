/**
 * Random sources for jitter: the real one, and a seeded one so tests and benchmarks can
 * reproduce a run exactly.
 */
import type { Random } from '../../pipeline/ports.ts';

/** `Math.random`, uniform in [0, 1). */
export const mathRandom: Random = () => Math.random();

/**
 * Deterministic uniform [0, 1) generator (mulberry32: small, fast, good enough for jitter; not
 * for anything secret). The same seed always yields the same sequence.
 */
export function createSeededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
