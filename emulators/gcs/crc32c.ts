/**
 * CRC32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven. Node 22's zlib only has
 * plain CRC32, and the real client refuses uploads whose resource lacks a correct `crc32c`.
 */
const TABLE = buildTable();

function buildTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** Extends a running CRC32C (start with 0) over `bytes`; returns the unsigned value. */
export function crc32cUpdate(crc: number, bytes: Uint8Array): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    c = (TABLE[(c ^ (bytes[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  }
  return ~c >>> 0;
}

/** CRC32C as GCS reports it: base64 of the big-endian uint32 ("hello world" → `yZRlqg==`). */
export function crc32cBase64(bytes: Uint8Array): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32cUpdate(0, bytes), 0);
  return out.toString('base64');
}
