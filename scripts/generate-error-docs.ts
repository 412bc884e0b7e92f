import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderRunbook } from '../lib/errors';
import { parseScriptArgs } from './parseScriptArgs';

// No flags: a typo such as `--check` stops with the usage instead of rewriting the file.
parseScriptArgs({}, 'usage: npm run docs:errors');
const target = fileURLToPath(new URL('../docs/error-codes.md', import.meta.url));
await writeFile(target, renderRunbook());
console.log(`wrote ${target}`);
