import { describe, expect, it } from 'vitest';
import { readLines } from '../../../functions/pipeline/jsonl-reader.ts';
import type { RawLine } from '../../../functions/pipeline/jsonl-reader.ts';

const enc = new TextEncoder();

function bytesOf(...parts: (string | number[])[]): Uint8Array {
  const chunks = parts.map((p) => (typeof p === 'string' ? enc.encode(p) : Uint8Array.from(p)));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Splits `data` into chunks at the given offsets (or every `size` bytes). */
async function* chunked(
  data: Uint8Array,
  cuts: number[] | { size: number },
): AsyncIterable<Uint8Array> {
  const offsets = Array.isArray(cuts)
    ? cuts
    : Array.from({ length: Math.ceil(data.length / cuts.size) }, (_, i) => i * cuts.size).slice(1);
  let start = 0;
  for (const cut of [...offsets, data.length]) {
    await Promise.resolve(); // a real stream hands chunks over asynchronously
    yield data.slice(start, cut);
    start = cut;
  }
}

async function collect(
  data: Uint8Array,
  cuts: number[] | { size: number } = [],
  options = { firstLine: 1, maxLineBytes: 1024 },
): Promise<RawLine[]> {
  const out: RawLine[] = [];
  for await (const line of readLines(chunked(data, cuts), options)) out.push(line);
  return out;
}

const texts = (lines: RawLine[]): (string | undefined)[] =>
  lines.map((l) => (l.kind === 'text' ? l.text : l.kind));

describe('readLines', () => {
  it.each([
    ['LF', 'a\nb\n', ['a', 'b']],
    ['CRLF', 'a\r\nb\r\n', ['a', 'b']],
    ['mixed terminators', 'a\r\nb\nc', ['a', 'b', 'c']],
    ['final line without newline', 'a\nb', ['a', 'b']],
    ['blank lines kept', '\n\na\n\r\n  \n', ['', '', 'a', '', '  ']],
    ['empty input', '', []],
    ['only a newline', '\n', ['']],
    ['lone CR inside a line stays', 'a\rb\n', ['a\rb']],
    ['BOM at file start stripped', '\uFEFF{"a":1}\nb', ['{"a":1}', 'b']],
    ['BOM on a later line kept', 'a\n\uFEFFb', ['a', '\uFEFFb']],
    ['multi-byte text', 'é€😀\n漢字', ['é€😀', '漢字']],
  ])('%s', async (_name, input, expected) => {
    const data = enc.encode(input);
    expect(texts(await collect(data))).toEqual(expected);
    // Same result when every byte is its own chunk: boundaries inside characters and CRLF.
    expect(texts(await collect(data, { size: 1 }))).toEqual(expected);
  });

  it('numbers lines from firstLine and counts bytes with terminators', async () => {
    const data = enc.encode('ab\r\n\ncdé');
    const lines = await collect(data, [], { firstLine: 41, maxLineBytes: 100 });
    expect(lines).toEqual([
      { line: 41, kind: 'text', text: 'ab', bytes: 4 },
      { line: 42, kind: 'text', text: '', bytes: 1 },
      { line: 43, kind: 'text', text: 'cdé', bytes: 4 },
    ]);
    expect(lines.reduce((n, l) => n + l.bytes, 0)).toBe(data.length);
  });

  it('does not strip a BOM when the range starts mid-file (firstLine > 1)', async () => {
    const lines = await collect(enc.encode('\uFEFFx'), [], { firstLine: 5, maxLineBytes: 100 });
    expect(texts(lines)).toEqual(['\uFEFFx']);
  });

  it.each([
    ['inside a 4-byte emoji', [2, 3, 4]],
    ['between CR and LF', [5]],
    ['right after LF', [6]],
  ])('chunk boundary %s', async (_name, cuts) => {
    const data = enc.encode('😀a\r\nb\n');
    expect(texts(await collect(data, cuts))).toEqual(['😀a', 'b']);
  });

  it('yields every line of a whole file read one byte at a time', async () => {
    const file = Array.from({ length: 200 }, (_, i) => `{"id":"q${i}","prompt":"π×${i} ✓"}`).join(
      '\r\n',
    );
    const data = enc.encode(`\uFEFF${file}\n`);
    const lines = await collect(data, { size: 1 }, { firstLine: 1, maxLineBytes: 200 });
    expect(lines).toHaveLength(200);
    expect(lines.map((l) => l.line)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(texts(lines)).toEqual(file.split('\r\n'));
    expect(lines.reduce((n, l) => n + l.bytes, 0)).toBe(data.length);
  });

  it('drops too-long lines but keeps counting and goes on with good lines', async () => {
    const long = 'x'.repeat(50);
    const data = enc.encode(`ok\n${long}\n${long}\r\nfine\n${long}`);
    for (const cuts of [[], { size: 1 }, { size: 7 }]) {
      const lines = await collect(data, cuts, { firstLine: 1, maxLineBytes: 10 });
      expect(lines).toEqual([
        { line: 1, kind: 'text', text: 'ok', bytes: 3 },
        { line: 2, kind: 'too_long', bytes: 51 },
        { line: 3, kind: 'too_long', bytes: 52 },
        { line: 4, kind: 'text', text: 'fine', bytes: 5 },
        { line: 5, kind: 'too_long', bytes: 50 },
      ]);
    }
  });

  it.each([
    ['exactly the limit with LF', '0123456789\n', 'text'],
    ['exactly the limit with CRLF', '0123456789\r\n', 'text'],
    ['one byte over', '0123456789a\n', 'too_long'],
    ['one byte over, CRLF', '0123456789a\r\n', 'too_long'],
  ])('limit edge: %s', async (_name, input, kind) => {
    for (const cuts of [[], { size: 1 }]) {
      const lines = await collect(enc.encode(input), cuts, { firstLine: 1, maxLineBytes: 10 });
      expect(lines.map((l) => l.kind)).toEqual([kind]);
    }
  });

  it.each([
    ['lone continuation byte', [0x80]],
    ['truncated 2-byte sequence', [0xc3]],
    ['overlong encoding', [0xc0, 0xaf]],
    ['UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['invalid byte 0xff', [0xff]],
  ])('flags bad UTF-8 (%s) and keeps reading', async (_name, bad) => {
    const data = bytesOf('a\n', bad, 'b\nc\n');
    for (const cuts of [[], { size: 1 }]) {
      const lines = await collect(data, cuts);
      expect(lines.map((l) => l.kind)).toEqual(['text', 'bad_utf8', 'text']);
      expect(lines[1]).toMatchObject({ line: 2, kind: 'bad_utf8', bytes: bad.length + 2 });
    }
  });

  it('holds at most one line in memory: a huge line is dropped as it streams', async () => {
    // 64 MiB of one line, streamed in 1 MiB chunks, with a limit of 1 KiB.
    const mib = new Uint8Array(1 << 20).fill(0x61);
    async function* huge(): AsyncIterable<Uint8Array> {
      for (let i = 0; i < 64; i += 1) {
        await Promise.resolve();
        yield mib;
      }
      yield enc.encode('\n{"prompt":"after"}\n');
    }
    const out: RawLine[] = [];
    for await (const l of readLines(huge(), { firstLine: 1, maxLineBytes: 1024 })) out.push(l);
    expect(out).toEqual([
      { line: 1, kind: 'too_long', bytes: 64 * (1 << 20) + 1 },
      { line: 2, kind: 'text', text: '{"prompt":"after"}', bytes: 19 },
    ]);
  });
});
