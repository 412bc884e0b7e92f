import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderKnoxContract } from '../lib/knox';

const target = fileURLToPath(new URL('../docs/knox-api-contract.md', import.meta.url));
await writeFile(target, renderKnoxContract());
console.log(`wrote ${target}`);
