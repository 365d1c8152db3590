/**
 * A small deterministic zip writer (stored names sorted, deflate, fixed timestamps) on node:zlib.
 * Deterministic on purpose: Terraform names the uploaded source object by the zip's MD5, so an
 * unchanged artifact must give a byte-identical zip, or every build would redeploy all functions.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

/** 1980-01-01 00:00:00, the zip epoch: no wall-clock time leaks into the archive. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

/** Every file under `dir`, as forward-slash paths relative to it, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

interface Entry {
  name: Buffer;
  crc: number;
  size: number;
  data: Buffer;
  method: number;
  offset: number;
}

function localHeader(e: Entry): Buffer {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
  h.writeUInt16LE(0x0800, 6); // UTF-8 names
  h.writeUInt16LE(e.method, 8);
  h.writeUInt16LE(DOS_TIME, 10);
  h.writeUInt16LE(DOS_DATE, 12);
  h.writeUInt32LE(e.crc, 14);
  h.writeUInt32LE(e.data.length, 18);
  h.writeUInt32LE(e.size, 22);
  h.writeUInt16LE(e.name.length, 26);
  h.writeUInt16LE(0, 28);
  return h;
}

function centralHeader(e: Entry): Buffer {
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0
  h.writeUInt16LE(20, 6);
  h.writeUInt16LE(0x0800, 8);
  h.writeUInt16LE(e.method, 10);
  h.writeUInt16LE(DOS_TIME, 12);
  h.writeUInt16LE(DOS_DATE, 14);
  h.writeUInt32LE(e.crc, 16);
  h.writeUInt32LE(e.data.length, 20);
  h.writeUInt32LE(e.size, 24);
  h.writeUInt16LE(e.name.length, 28);
  // extra, comment, disk, internal attrs stay 0; external attrs: regular file, mode 0644.
  h.writeUInt32LE((0o100644 << 16) >>> 0, 38);
  h.writeUInt32LE(e.offset, 42);
  return h;
}

/**
 * Zips every file under `dir` into `zipPath` (paths relative to `dir`). Returns the zip's size.
 * Throws past the classic zip limits (65535 entries, 4 GiB): the artifact is far below them.
 */
export async function zipDirectory(dir: string, zipPath: string): Promise<number> {
  const files = await listFiles(dir);
  if (files.length > 0xffff) throw new Error(`zip: ${files.length} files exceed 65535 entries`);
  const parts: Buffer[] = [];
  const entries: Entry[] = [];
  let offset = 0;
  for (const file of files) {
    const raw = await readFile(join(dir, file));
    const deflated = deflateRawSync(raw, { level: 9 });
    const stored = deflated.length >= raw.length;
    const entry: Entry = {
      name: Buffer.from(file, 'utf8'),
      crc: crc32(raw),
      size: raw.length,
      data: stored ? raw : deflated,
      method: stored ? 0 : 8,
      offset,
    };
    const header = localHeader(entry);
    parts.push(header, entry.name, entry.data);
    offset += header.length + entry.name.length + entry.data.length;
    entries.push(entry);
  }
  const centralStart = offset;
  for (const e of entries) {
    const header = centralHeader(e);
    parts.push(header, e.name);
    offset += header.length + e.name.length;
  }
  if (offset > 0xffffffff) throw new Error('zip: archive exceeds 4 GiB');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(offset - centralStart, 12);
  end.writeUInt32LE(centralStart, 16);
  parts.push(end);
  const zip = Buffer.concat(parts);
  await writeFile(zipPath, zip);
  return zip.length;
}
