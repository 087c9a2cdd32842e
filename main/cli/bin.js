#!/usr/bin/env node
// The `siteflash` command: runs the built CLI (out/main/cli.js); `npm run build` makes it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('siteflash is not built yet: run `npm run build` in the siteflash folder first.\n');
  process.exit(3);
}
process.argv[1] = cli;
await import(cli);
