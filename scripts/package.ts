import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, parseJobsYaml } from '../lib/config';
import { assertScheduledJobsDefined } from './assertScheduledJobsDefined';
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
  /** The stage packaged. */
  readonly stage: string;
  /** The CLI's `Warning: ...` lines (e.g. `Warning: no alert subscriber ...` from scripts/stage-config.cjs). */
  readonly warnings: readonly string[];
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
 * the CLI output when packaging fails, or a `ConfigError` before the CLI runs when config/jobs.yml
 * is not YAML or lacks a job a schedule names (`ScheduledJobUndefinedError`).
 *
 * @example
 * const { template, artifacts } = await packageService({ stage: 'ci', outdir: '/tmp/sls' });
 * for (const a of artifacts) console.log(a.name, a.bytes);
 */
export async function packageService(options: PackageOptions = {}): Promise<PackagedService> {
  const stage = options.stage ?? 'ci';
  const outdir = resolve(options.outdir ?? join(ROOT, '.serverless'));
  // serverless would resolve a schedule's State for a job jobs.yml lacks as `Value not found at
  // "file" source`, naming neither; the build checks the same, but runs after variable resolution.
  const jobs = parseJobsYaml(await readFile(join(ROOT, 'config', 'jobs.yml'), 'utf8'));
  await assertScheduledJobsDefined(Object.keys(isRecord(jobs) && isRecord(jobs.jobs) ? jobs.jobs : {}), ROOT);
  if (options.buildFirst) await buildFunctions();
  await mkdir(outdir, { recursive: true });
  const skip = options.skipBuild || options.buildFirst;
  const output = await runServerless(
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
  return {
    outdir,
    template: join(outdir, 'cloudformation-template-update-stack.json'),
    artifacts,
    stage,
    warnings: cliWarnings(output),
  };
}

/**
 * The `Warning: ...` lines of the CLI's output, once each, in order (serverless resolves some
 * variables more than once).
 *
 * @example
 * cliWarnings('x\nWarning: no alert subscriber\n'); // ['Warning: no alert subscriber']
 */
export function cliWarnings(output: string): string[] {
  const lines = output.split('\n').map((line) => line.trim());
  return [...new Set(lines.filter((line) => /^Warning:/.test(line)))];
}

function runServerless(args: readonly string[], extraEnv: Record<string, string>): Promise<string> {
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
      if (code === 0) resolvePromise(output);
      else reject(new PackageError(`serverless ${args.join(' ')} exited with ${code}`, output));
    });
  });
}

const PACKAGE_USAGE = 'usage: npm run package -- [--stage <name>]';

/** Where `runPackageCli` writes: stdout for what was packaged, stderr for warnings and errors. */
export interface PackageCliIo {
  out(text: string): void;
  err(text: string): void;
}

/**
 * `npm run package`: packages one stage and answers the exit code. Success prints the stage, each
 * zip, the template and the CLI's warnings (stderr); a failure prints the CLI's output once and one
 * line naming the stage (exit 1, never a stack trace); a stage name serverless would refuse is a
 * usage error (exit 2) before anything runs. Unknown flags exit 2 in `parseScriptArgs`.
 *
 * @param argv the arguments after the script name
 * @param pack the packager (`packageService`; a stub in unit tests)
 * @example
 * process.exitCode = await runPackageCli(['--stage', 'prod'], { out: console.log, err: console.error });
 */
export async function runPackageCli(
  argv: readonly string[],
  io: PackageCliIo,
  pack: (options: PackageOptions) => Promise<PackagedService> = packageService,
): Promise<number> {
  // strict: an unknown flag or `--stage` without a value stops before packaging the wrong stage.
  const { stage = 'ci' } = parseScriptArgs({ stage: { type: 'string' } }, PACKAGE_USAGE, argv);
  // serverless's own rule; it would otherwise report it once per variable of the template.
  if (!/^[A-Za-z0-9-]+$/.test(stage)) {
    io.err(
      `--stage ${JSON.stringify(stage)}: a stage name is ASCII letters, digits and hyphens\n${PACKAGE_USAGE}`,
    );
    return 2;
  }
  try {
    const packaged = await pack({ stage });
    io.out(`stage ${packaged.stage}:`);
    for (const a of packaged.artifacts) {
      io.out(`${a.name.padEnd(18)} ${(a.bytes / 1024).toFixed(1).padStart(8)} KiB  ${a.file}`);
    }
    io.out(`template: ${packaged.template}`);
    for (const warning of packaged.warnings) io.err(warning);
    return 0;
  } catch (error) {
    if (error instanceof PackageError) {
      io.err(error.output.trimEnd());
      io.err(
        `npm run package: packaging stage ${stage} failed (${error.message}); the CLI's output is above.`,
      );
      return 1;
    }
    if (error instanceof ConfigError) {
      io.err(`npm run package: ${error.name}: ${error.message}\nNothing was packaged (stage ${stage}).`);
      return 1;
    }
    throw error;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await runPackageCli(process.argv.slice(2), {
    out: (text) => console.log(text),
    err: (text) => console.error(text),
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
