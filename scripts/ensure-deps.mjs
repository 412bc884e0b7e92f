// Runs before `npm start` and `npm test` (as prestart/pretest) so a fresh clone needs no manual
// install: when node_modules is missing or older than package-lock.json, it runs `npm ci`.
// Plain JavaScript on purpose: it runs on whatever Node the machine has, before the pinned
// Node 22 from the `node` devDependency exists.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs + 1000;
if (stale) {
  console.error('[setup] installing dependencies from package-lock.json (npm ci)...');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
