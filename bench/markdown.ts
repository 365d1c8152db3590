/** Replaces one marked section of BENCHMARKS.md, leaving the others (written by other benches) alone. */
import { readFile, writeFile } from 'node:fs/promises';

export async function writeSection(file: string, name: string, body: string): Promise<void> {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const current = await readFile(file, 'utf8').catch(() => '# Benchmarks\n');
  const block = `${start}\n${body.trim()}\n${end}`;
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next =
    from >= 0 && to > from
      ? current.slice(0, from) + block + current.slice(to + end.length)
      : `${current.trimEnd()}\n\n${block}\n`;
  await writeFile(file, next);
}

export const machine = (): string =>
  `Node ${process.version}, ${process.platform}/${process.arch}, ${new Date().toISOString().slice(0, 10)}`;
