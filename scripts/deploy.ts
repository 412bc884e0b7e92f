// `npm run deploy -- --stage prod [--region eu-central-1] [--param key=value ...]`: runs
// `serverless deploy` (the pinned osls CLI) with every argument passed through. The CLI's build
// plugin (scripts/serverless/build-plugin.mjs) builds the bundles first, so what is deployed is
// always built from the checked-out sources. Needs AWS credentials (the usual SDK chain: env,
// profile, SSO, instance role); README.md, "Deploying to AWS", lists what must exist first.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUIET_CLI_ENV, serverlessBin } from './package';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Runs `serverless <command> ...args` in the repository with the quiet CLI environment and the
 * terminal attached; resolves with the CLI's exit code.
 *
 * @example
 * process.exitCode = await runServerlessCommand('deploy', ['--stage', 'prod']);
 */
export function runServerlessCommand(command: string, args: readonly string[]): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [serverlessBin(), command, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...QUIET_CLI_ENV },
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise(code ?? (signal ? 1 : 0)));
  });
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (!args.includes('--stage') && !args.some((arg) => arg.startsWith('--stage='))) {
    console.error('npm run deploy: say which stage, e.g. `npm run deploy -- --stage prod`');
    process.exit(2);
  }
  process.exitCode = await runServerlessCommand('deploy', args);
}
