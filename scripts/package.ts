import { spawn } from 'node:child_process';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFunctions } from './build';
import { parseScriptArgs } from './parseScriptArgs';
import { SKIP_BUILD_VARIABLE } from './serverless/build-plugin.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface PackageOptions {
  /** The serverless stage (`ci`, `dev`, `prod`); `ci` by default. */
  readonly stage?: string;
  /** Where the CloudFormation templates and zips go; `.serverless/` by default. */
  readonly outdir?: string;
  /**
   * The caller has just built dist/ (e.g. once for several stages): the CLI's build plugin
   * (scripts/serverless/build-plugin.mjs) then packages those bundles instead of building again.
   * Without it, packaging builds them itself, as `serverless package` always does.
   */
  readonly skipBuild?: boolean;
  /** Build dist/ once here first and let the CLI skip its own build (see `skipBuild`). */
  readonly buildFirst?: boolean;
}

export interface PackagedService {
  readonly outdir: string;
  /** Path of `cloudformation-template-update-stack.json`. */
  readonly template: string;
  readonly artifacts: readonly { readonly name: string; readonly file: string; readonly bytes: number }[];
}

/** Packaging failed; `output` holds what the CLI printed (it never contains secrets: none exist here). */
export class PackageError extends Error {
  readonly output: string;
  constructor(message: string, output: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PackageError';
    this.output = output;
  }
}

// The environment the CLI runs in: osls has no telemetry or update checks, and these keep it so
// even if a future version adds them (names as Serverless v3 used them). Deploys use it too.
export const QUIET_CLI_ENV = {
  SLS_TELEMETRY_DISABLED: '1',
  SLS_TRACKING_DISABLED: '1',
  SLS_NOTIFICATIONS_MODE: 'off',
  SLS_DEPRECATION_DISABLE: '*',
  SLS_INTERACTIVE_SETUP_DISABLE: '1',
} as const;

// Packaging needs no credentials: IMDS probing is off so a laptop or CI box without AWS never
// waits on 169.254.169.254. (Not for deploys: an EC2 or CodeBuild deployer gets its role there.)
const OFFLINE_ENV = { ...QUIET_CLI_ENV, AWS_EC2_METADATA_DISABLED: 'true' } as const;

/** The pinned osls CLI's entry script, run with the Node that runs this script. */
export function serverlessBin(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('osls/package.json')), 'bin', 'serverless.js');
}

/**
 * Runs `serverless package` (the pinned open-source `osls` CLI, on the same Node that runs this
 * script) for one stage, offline and without an AWS account; the CLI's build plugin builds the
 * bundles first unless `skipBuild` says the caller just did. Resolves
 * with the template path and each function zip's size; rejects with a `PackageError` carrying
 * the CLI output when packaging fails.
 *
 * @example
 * const { template, artifacts } = await packageService({ stage: 'ci', outdir: '/tmp/sls' });
 * for (const a of artifacts) console.log(a.name, a.bytes);
 */
export async function packageService(options: PackageOptions = {}): Promise<PackagedService> {
  const stage = options.stage ?? 'ci';
  const outdir = resolve(options.outdir ?? join(ROOT, '.serverless'));
  if (options.buildFirst) await buildFunctions();
  await mkdir(outdir, { recursive: true });
  const skip = options.skipBuild || options.buildFirst;
  await runServerless(
    ['package', '--stage', stage, '--package', outdir],
    skip ? { [SKIP_BUILD_VARIABLE]: '1' } : {},
  );
  const zips = (await readdir(outdir)).filter((file) => file.endsWith('.zip')).sort();
  const artifacts = await Promise.all(
    zips.map(async (file) => {
      const path = join(outdir, file);
      return { name: file.replace(/\.zip$/, ''), file: path, bytes: (await stat(path)).size };
    }),
  );
  return { outdir, template: join(outdir, 'cloudformation-template-update-stack.json'), artifacts };
}

function runServerless(args: readonly string[], extraEnv: Record<string, string>): Promise<void> {
  const bin = serverlessBin();
  // A SENTINEL_SKIP_BUILD left in the caller's shell must not ship stale bundles by accident.
  const { [SKIP_BUILD_VARIABLE]: _inherited, ...inherited } = process.env;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: ROOT,
      env: { ...inherited, ...OFFLINE_ENV, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) =>
      reject(new PackageError(`could not start serverless: ${error.message}`, output)),
    );
    child.on('close', (code) => {
      if (code === 0) resolvePromise();
      else reject(new PackageError(`serverless ${args.join(' ')} exited with ${code}`, output));
    });
  });
}

async function main(): Promise<void> {
  // strict: an unknown flag or `--stage` without a value stops before packaging the wrong stage.
  const { stage } = parseScriptArgs(
    { stage: { type: 'string' } },
    'usage: npm run package -- [--stage <name>]',
  );
  try {
    const packaged = await packageService(stage === undefined ? {} : { stage });
    for (const a of packaged.artifacts) {
      console.log(`${a.name.padEnd(18)} ${(a.bytes / 1024).toFixed(1).padStart(8)} KiB  ${a.file}`);
    }
    console.log(`template: ${packaged.template}`);
  } catch (error) {
    if (error instanceof PackageError) console.error(error.output);
    throw error;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
