/** What every route handler of the emulator shares. */
import type { GcsState, NewObject, Preconditions, StoredObject } from './state.ts';
import { preconditionsHold } from './state.ts';
import { preconditionFailed } from './http.ts';

export interface EmulatorContext {
  state: GcsState;
  /** `http://127.0.0.1:PORT`, used for absolute `Location`, selfLink and mediaLink. */
  baseUrl: string;
  /** Called after every successful upload or compose (the object.finalize event). */
  finalized(object: StoredObject): void;
}

/** Reads the precondition query parameters GCS honours on writes, reads and deletes. */
export function queryPreconditions(query: URLSearchParams): Preconditions {
  return {
    ifGenerationMatch: query.get('ifGenerationMatch'),
    ifGenerationNotMatch: query.get('ifGenerationNotMatch'),
    ifMetagenerationMatch: query.get('ifMetagenerationMatch'),
    ifMetagenerationNotMatch: query.get('ifMetagenerationNotMatch'),
  };
}

/** Throws 412 when the preconditions do not hold against the live object. */
export function checkPreconditions(
  ctx: EmulatorContext,
  bucket: string,
  name: string,
  p: Preconditions,
): void {
  if (!preconditionsHold(ctx.state.get(bucket, name), p)) throw preconditionFailed();
}

/** Checks preconditions once more and commits: the finalize step of every write path. */
export function commitObject(
  ctx: EmulatorContext,
  bucket: string,
  name: string,
  p: Preconditions,
  object: NewObject,
): StoredObject {
  checkPreconditions(ctx, bucket, name, p);
  const stored = ctx.state.put(bucket, name, object);
  ctx.finalized(stored);
  return stored;
}
