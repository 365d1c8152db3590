#!/usr/bin/env node
// The `sluice` command. In a source checkout Node 22.18+ runs the TypeScript directly (type
// stripping); an installed build runs the compiled JavaScript from dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const source = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `sluice needs Node.js 22.18 or newer (this is ${process.version}). ` +
      'Run it through npm (`npm run sluice -- ...` or `npx sluice ...`), which uses the node@22 dev dependency.',
  );
  process.exit(1);
}
await import(existsSync(source) ? source : compiled);
