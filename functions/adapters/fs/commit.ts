/**
 * Atomic replacement of one file, with its generation carried in the file's own mtime.
 *
 * Why mtime: data and generation then change together in one rename (no sidecar that can
 * disagree with the data), files stay plain files a user can open, and files dropped into the
 * folder by hand get a generation too. A generation is the mtime in whole microseconds; a writer
 * stamps its temp file with max(now, current + 1µs) before the rename, so generations of a name
 * increase strictly (on filesystems with sub-microsecond timestamps, e.g. ext4, xfs, tmpfs, apfs).
 */
import type { FileHandle } from 'node:fs/promises';
import { link, rename, stat, unlink } from 'node:fs/promises';
import { PreconditionFailedError } from '../../pipeline/errors.ts';

/** Generation of a file from its stat (mtime in microseconds, decimal). */
export async function generationOf(
  path: string,
): Promise<{ generation: string; size: number } | undefined> {
  try {
    const s = await stat(path, { bigint: true });
    if (!s.isFile()) return undefined;
    return { generation: String(s.mtimeNs / 1000n), size: Number(s.size) };
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

export function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

/** Stamps `handle` with a generation above `current`, returning the generation it now has. */
async function stamp(handle: FileHandle, current: bigint): Promise<string> {
  let target = BigInt(Date.now()) * 1000n;
  if (target <= current) target = current + 1n;
  // Coarse-timestamp filesystems round the stamp down; step further ahead until it sticks.
  for (const step of [0n, 1000n, 1_000_000n, 2_000_000n]) {
    target += step;
    const seconds = (Number(target) + 0.5) / 1e6; // +0.5µs so float rounding cannot fall below
    await handle.utimes(seconds, seconds);
    const got = (await handle.stat({ bigint: true })).mtimeNs / 1000n;
    if (got > current) return String(got);
  }
  throw new Error('The filesystem cannot store increasing modification times for generations.');
}

const locks = new Map<string, Promise<unknown>>();

/** Runs `step` after every earlier step on the same path (in this process) has finished. */
function serialised<T>(path: string, step: () => Promise<T>): Promise<T> {
  const previous = locks.get(path) ?? Promise.resolve();
  const next = previous.then(step, step);
  const settled = next.catch(() => undefined);
  locks.set(path, settled);
  void settled.then(() => {
    if (locks.get(path) === settled) locks.delete(path);
  });
  return next;
}

/**
 * Moves the finished temp file onto `path` if `ifGenerationMatch` allows it. `0` uses link(2),
 * which fails with EEXIST if the name exists, so two create-only writers (even in two processes)
 * cannot both win; other preconditions are checked under an in-process lock.
 */
export function commit(
  temp: { path: string; handle: FileHandle },
  path: string,
  name: string,
  ifGenerationMatch: number | string | undefined,
): Promise<string> {
  return serialised(path, async () => {
    const current = await generationOf(path);
    const want = ifGenerationMatch === undefined ? undefined : String(ifGenerationMatch);
    if (want !== undefined && want !== (current?.generation ?? '0')) {
      throw new PreconditionFailedError(
        `ifGenerationMatch=${want} failed for ${name} (current generation ${current?.generation ?? 'none'}).`,
      );
    }
    const generation = await stamp(temp.handle, BigInt(current?.generation ?? '0'));
    await temp.handle.close();
    if (want === '0') {
      try {
        await link(temp.path, path);
      } catch (error) {
        if ((error as { code?: unknown }).code === 'EEXIST') {
          throw new PreconditionFailedError(
            `ifGenerationMatch=0 failed for ${name}: it already exists.`,
          );
        }
        throw error;
      }
      await unlink(temp.path);
    } else {
      await rename(temp.path, path);
    }
    return generation;
  });
}
