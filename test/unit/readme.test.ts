/** The README is part of the product: its config table must cover every variable config.ts reads. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { VARIABLES } from '../../functions/config.ts';

describe('README', () => {
  it('documents every environment variable in the configuration table', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const tableRows = readme.split('\n').filter((line) => line.startsWith('|'));
    for (const variable of VARIABLES) {
      expect(
        tableRows.some((row) => row.includes(`\`${variable.name}\``)),
        variable.name,
      ).toBe(true);
    }
  });

  it('keeps the Quickstart to two commands that exist as npm scripts', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const pkg = JSON.parse(
      await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as {
      scripts: Record<string, string>;
    };
    const quickstart = readme.split('## Quickstart')[1]?.split('## ')[0] ?? '';
    const block = /```sh\n([\s\S]*?)```/.exec(quickstart)?.[1] ?? '';
    const commands = block.split('\n').filter((l) => l.trim() !== '');
    expect(commands).toHaveLength(2);
    for (const script of block.matchAll(/npm (?:run )?(\w+)/g)) {
      const name = script[1] ?? '';
      if (name !== 'ci' && name !== 'test') expect(pkg.scripts[name], name).toBeDefined();
    }
  });
});
