/** The BlobStore byte-range rule every adapter shares: `[start, end)`, end exclusive. */

/** Throws a RangeError naming the object unless `0 <= start <= end` with whole numbers. */
export function checkByteRange(name: string, start: number, end: number | undefined): void {
  if (
    !Number.isInteger(start) ||
    start < 0 ||
    (end !== undefined && (!Number.isInteger(end) || end < start))
  ) {
    throw new RangeError(
      `Invalid byte range [${start}, ${end}) for ${name}: need 0 <= start <= end.`,
    );
  }
}
