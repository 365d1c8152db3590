/**
 * Fault injection: answer the next N (or a seeded fraction of) requests of a route with an error
 * status, so retry paths of the real client can be exercised deterministically.
 */
export type GcsRoute = 'upload' | 'download' | 'metadata' | 'list' | 'delete' | 'compose';

export interface GcsFault {
  route: GcsRoute | 'any';
  status: 429 | 500 | 503 | 504;
  /** Fail the next `times` matching requests, then stop. */
  times?: number;
  /** Or fail each matching request with this probability (seeded, reproducible). */
  rate?: number;
}

export interface FaultInjector {
  set(faults: GcsFault[], seed?: number): void;
  /** Status to answer with for this request, or undefined to serve it normally. */
  next(route: GcsRoute): number | undefined;
}

/** mulberry32: tiny seeded PRNG, so a rate-based fault run is repeatable from its seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Creates an injector with no faults. A fault with neither `times` nor `rate` fails every match. */
export function createFaultInjector(): FaultInjector {
  let faults: Array<GcsFault & { left: number }> = [];
  let random = seeded(1);
  return {
    set(list, seed = 1) {
      for (const f of list) {
        if (f.rate !== undefined && !(f.rate >= 0 && f.rate <= 1)) {
          throw new RangeError(`GcsFault.rate must be within [0, 1], got ${f.rate}`);
        }
      }
      faults = list.map((f) => ({ ...f, left: f.times ?? Number.POSITIVE_INFINITY }));
      random = seeded(seed);
    },
    next(route) {
      for (const f of faults) {
        if (f.route !== 'any' && f.route !== route) continue;
        if (f.left <= 0) continue;
        if (f.rate !== undefined && random() >= f.rate) continue;
        f.left -= 1;
        return f.status;
      }
      return undefined;
    },
  };
}
