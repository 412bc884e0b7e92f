import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderKnoxContract } from '../lib/knox';
import { parseScriptArgs } from './parseScriptArgs';

// No flags: a typo such as `--check` stops with the usage instead of rewriting the file.
parseScriptArgs({}, 'usage: npm run docs:knox');
const target = fileURLToPath(new URL('../docs/knox-api-contract.md', import.meta.url));
await writeFile(target, renderKnoxContract());
console.log(`wrote ${target}`);
