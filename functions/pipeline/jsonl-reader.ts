/**
 * Streaming line splitter for JSONL input. It never holds more than one line (at most
 * `maxLineBytes` + 1 bytes) in memory, whatever the size of the input, so a batch can read a
 * byte range of a multi-gigabyte object with flat memory (DESIGN promise 3).
 */

/**
 * One physical line. `bytes` is the line's size in the input INCLUDING its terminator (`\n` or
 * `\r\n`) and a stripped BOM, so the `bytes` of all lines add up to the bytes read: the planner
 * can cut byte ranges from them.
 */
export type RawLine =
  /** `text` is the line without its terminator; a UTF-8 BOM at the start of the file is stripped. */
  | { line: number; kind: 'text'; text: string; bytes: number }
  /** Longer than `maxLineBytes` (terminator excluded): the content was dropped, only counted. */
  | { line: number; kind: 'too_long'; bytes: number }
  /** Not valid UTF-8. */
  | { line: number; kind: 'bad_utf8'; bytes: number };

export interface ReadLinesOptions {
  /** Number of the first line read (1 at the start of a file). */
  firstLine: number;
  /** Longest line content kept, in bytes, without its terminator. */
  maxLineBytes: number;
}

const LF = 0x0a;
const CR = 0x0d;

function concat(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function hasBom(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
}

/**
 * Splits a byte stream into lines. Yields every physical line, blank ones too (text ''), so line
 * numbers are exact. A final line without `\n` is yielded; an empty tail after a final `\n` is
 * not. A BOM is stripped only when `firstLine` is 1 (the stream starts at the start of the file).
 * Chunk boundaries may fall anywhere, inside a multi-byte character or between `\r` and `\n`.
 */
export async function* readLines(
  chunks: AsyncIterable<Uint8Array>,
  options: ReadLinesOptions,
): AsyncIterable<RawLine> {
  const { maxLineBytes } = options;
  // `ignoreBOM` keeps a BOM in the text: only the one at the start of the file is ours to strip.
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let line = options.firstLine;
  let parts: Uint8Array[] = [];
  let size = 0; // bytes of the current line so far, terminator excluded
  let tooLong = false;
  let lastByte = -1;
  let open = false; // any byte seen since the last '\n'

  const append = (piece: Uint8Array): void => {
    if (piece.length === 0) return;
    open = true;
    size += piece.length;
    lastByte = piece[piece.length - 1] ?? lastByte;
    if (tooLong) return;
    // Keep one byte more than the limit: it may be the '\r' of a '\r\n'.
    if (size > maxLineBytes + 1) {
      tooLong = true;
      parts = [];
      return;
    }
    parts.push(piece);
  };

  const finish = (terminator: number): RawLine => {
    const hasCr = lastByte === CR;
    let content = size - (hasCr ? 1 : 0);
    let result: RawLine;
    const bytes = size + terminator;
    if (!tooLong) {
      let data = concat(parts, size).subarray(0, content);
      if (line === 1 && options.firstLine === 1 && hasBom(data)) {
        data = data.subarray(3);
        content -= 3;
      }
      if (content > maxLineBytes) {
        result = { line, kind: 'too_long', bytes };
      } else {
        try {
          result = { line, kind: 'text', text: decoder.decode(data), bytes };
        } catch {
          result = { line, kind: 'bad_utf8', bytes };
        }
      }
    } else {
      result = { line, kind: 'too_long', bytes };
    }
    line += 1;
    parts = [];
    size = 0;
    tooLong = false;
    lastByte = -1;
    open = false;
    return result;
  };

  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(LF, start);
      if (nl === -1) {
        append(chunk.subarray(start));
        break;
      }
      append(chunk.subarray(start, nl));
      yield finish(1);
      start = nl + 1;
    }
  }
  if (open) yield finish(0);
}
