// `npm run deploy -- --stage prod [--region eu-central-1] [--param key=value ...]` (or `-s prod`,
// `--stage=prod`, as the CLI accepts them): runs
// `serverless deploy` (the pinned osls CLI) with every argument passed through. The CLI's build
// plugin (scripts/serverless/build-plugin.mjs) builds the bundles first, so what is deployed is
// always built from the checked-out sources. Needs AWS credentials (the usual SDK chain: env,
// profile, SSO, instance role); docs/operator-guide.md lists what must exist first.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
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

/**
 * The stage the arguments name, in any spelling the serverless CLI accepts (`--stage prod`,
 * `--stage=prod`, `-s prod`, `-s=prod`), or `undefined` when none does: a deploy without a stage
 * would go to serverless.yml's default stage (dev), which nobody means by `npm run deploy`. A flag
 * whose value is missing (`--stage` last, or followed by another flag) names no stage.
 *
 * @example
 * stageArgument(['-s', 'prod', '--region', 'eu-central-1']); // 'prod'
 * stageArgument(['--region', 'eu-central-1']);              // undefined
 */
export function stageArgument(args: readonly string[]): string | undefined {
  // node:util parseArgs, lenient: every other flag is the CLI's and passes through unread. Its
  // tokens keep how the stage was written, which decides what counts as its value.
  const { tokens } = parseArgs({
    args: [...args],
    options: { stage: { type: 'string', short: 's' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  let stage: string | undefined;
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name !== 'stage') continue;
    // `-s=prod` reads as the value `=prod`; `--stage --region` takes the next flag as its value.
    const value = token.inlineValue && token.rawName === '-s' ? token.value?.replace(/^=/, '') : token.value;
    stage =
      value === undefined || value === '' || (!token.inlineValue && value.startsWith('-'))
        ? undefined
        : value;
  }
  return stage;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (stageArgument(args) === undefined) {
    console.error(
      'npm run deploy: say which stage, e.g. `npm run deploy -- --stage prod` (or -s prod, --stage=prod)',
    );
    process.exit(2);
  }
  process.exitCode = await runServerlessCommand('deploy', args);
}
