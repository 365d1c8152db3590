/**
 * A batch lease: `ledger/<batch>/lease.json` = `{holder, expiresAt}`, taken and renewed with
 * ifGenerationMatch on the generation last seen, so of two deliveries of the same batch only one
 * runs prompts while the other waits instead of paying for every prompt twice.
 *
 * The lease is an optimisation ONLY. The ledger gives exactly one record per line even when two
 * holders overlap (an expired lease taken over while the old holder still runs, clock skew), so
 * nothing here has to be perfect: every failure mode just means some prompts run twice.
 */
import { PreconditionFailedError } from './errors.ts';
import type { BlobStore, Clock } from './ports.ts';
import { readJson } from './store-io.ts';

export interface LeaseBody {
  holder: string;
  /** Epoch ms after which anyone may take the lease over. */
  expiresAt: number;
}

export interface Lease {
  /** Extends the lease; false when someone else took it over (keep going: the ledger is safe). */
  renew(signal: AbortSignal): Promise<boolean>;
  /** Marks the lease expired so a waiting delivery can start at once. Never throws. */
  release(signal: AbortSignal): Promise<void>;
}

export type LeaseAttempt =
  { acquired: true; lease: Lease } | { acquired: false; holder: string; expiresAt: number };

/** Tries once (with a few re-reads on races) to take the lease for `holder` for `ttlMs`. */
export async function tryAcquireLease(
  store: BlobStore,
  name: string,
  holder: string,
  ttlMs: number,
  clock: Clock,
  signal: AbortSignal,
): Promise<LeaseAttempt> {
  for (let round = 0; round < 3; round++) {
    const info = await store.stat(name, signal);
    let match: number | string = 0;
    if (info !== undefined) {
      const body = await readJson<LeaseBody>(store, name, signal);
      if (body !== undefined && body.holder !== holder && body.expiresAt > clock.now()) {
        return { acquired: false, holder: body.holder, expiresAt: body.expiresAt };
      }
      match = info.generation;
    }
    try {
      const body: LeaseBody = { holder, expiresAt: clock.now() + ttlMs };
      const written = await store.write(name, JSON.stringify(body), {
        ifGenerationMatch: match,
        contentType: 'application/json',
        signal,
      });
      return {
        acquired: true,
        lease: heldLease(store, name, holder, ttlMs, clock, written.generation),
      };
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      // Someone wrote between our read and our write: look again.
    }
  }
  const body = await readJson<LeaseBody>(store, name, signal);
  return {
    acquired: false,
    holder: body?.holder ?? '?',
    expiresAt: body?.expiresAt ?? clock.now(),
  };
}

function heldLease(
  store: BlobStore,
  name: string,
  holder: string,
  ttlMs: number,
  clock: Clock,
  initialGeneration: string,
): Lease {
  let generation = initialGeneration;
  let lost = false;
  const put = async (expiresAt: number, signal: AbortSignal): Promise<boolean> => {
    if (lost) return false;
    try {
      const info = await store.write(
        name,
        JSON.stringify({ holder, expiresAt } satisfies LeaseBody),
        {
          ifGenerationMatch: generation,
          contentType: 'application/json',
          signal,
        },
      );
      generation = info.generation;
      return true;
    } catch (error) {
      if (error instanceof PreconditionFailedError) lost = true;
      return false;
    }
  };
  return {
    renew: (signal) => put(clock.now() + ttlMs, signal),
    release: async (signal) => {
      await put(0, signal);
    },
  };
}

/**
 * Renews `lease` every `everyMs` until `signal` aborts. Runs in the background; never rejects.
 */
export function startHeartbeat(
  lease: Lease,
  clock: Clock,
  everyMs: number,
  signal: AbortSignal,
): Promise<void> {
  const beat = async (): Promise<void> => {
    while (!signal.aborted) {
      try {
        await clock.sleep(everyMs, signal);
      } catch {
        return;
      }
      if (!(await lease.renew(signal))) return;
    }
  };
  return beat();
}
