#!/usr/bin/env node
// `npx knox-guard-sentinel alerts ...` (package.json "bin"): loads the TypeScript CLI through tsx,
// the devDependency `npm start` and the npm scripts run TypeScript with, so nothing is compiled
// or installed globally. docs/admin-cli.md.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
