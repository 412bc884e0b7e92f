import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderRunbook } from '../lib/errors';

const target = fileURLToPath(new URL('../docs/error-codes.md', import.meta.url));
await writeFile(target, renderRunbook());
console.log(`wrote ${target}`);
