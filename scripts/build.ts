import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions as EsbuildOptions, type Plugin } from 'esbuild';
import {
  assertJobParamsDefined,
  ConfigError,
  type JobParams,
  parseJobsYaml,
  planJobSchedules,
  resolveJobsConfig,
} from '../lib/config';
import { assertScheduledJobsDefined } from './assertScheduledJobsDefined';
import { parseScriptArgs } from './parseScriptArgs';
import { readServerlessManifest, stageParams } from './serverlessManifest';

/** The Lambda entry points, keyed by the folder name their bundle gets under `dist/functions`. */
export const FUNCTION_ENTRIES = {
  'scheduled-run': 'functions/scheduled-run.ts',
  'operation-worker': 'functions/operation-worker.ts',
  webhook: 'functions/webhook.ts',
  'run-failures': 'functions/run-failures.ts',
  'knox-events': 'functions/knox-events.ts',
} as const;
export type FunctionName = keyof typeof FUNCTION_ENTRIES;

export interface BuildOptions {
  /** Where `<name>/index.mjs` lands; `dist/functions` under the repository root by default. */
  readonly outdir?: string;
  /** The jobs configuration to validate and embed; config/jobs.yml by default. */
  readonly jobsFile?: string;
}

export interface BuiltFunction {
  readonly name: FunctionName;
  /** Absolute path of the bundle (`.../<name>/index.mjs`). */
  readonly file: string;
  /** Size in bytes of everything the function ships that Node loads: the entry and its chunks (no source maps). */
  readonly bytes: number;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// ESM bundles still meet CommonJS dependencies (parts of the SDK's transitive tree, middy
// plugins) that call `require` for Node built-ins; ESM has no `require`, so the bundle makes one.
const CJS_BANNER = [
  "import { createRequire as __sentinelCreateRequire } from 'node:module';",
  'const require = __sentinelCreateRequire(import.meta.url);',
].join('\n');

// Lambda hands every function its role's credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
// AWS_SESSION_TOKEN, and the local stack sets the same variables. The SDK's default chain
// (credential-provider-node) would also bundle the SSO, STS web-identity, INI, process, login and
// IMDS providers with their nested clients (size per function: docs/performance.md) that a Lambda never consults.
const LAMBDA_CREDENTIALS: Plugin = {
  name: 'lambda-credentials',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({
      path: 'lambda-credentials',
      namespace: 'lambda-credentials',
    }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'lambda-credentials' }, () => ({
      contents: [
        "import { fromEnv } from '@aws-sdk/credential-provider-env';",
        'export const defaultProvider = (init = {}) => fromEnv(init);',
      ].join('\n'),
      resolveDir: ROOT,
      loader: 'js',
    }));
  },
};

// lib/config re-exports loadJobsConfig (YAML text in, for tests and tools); the handlers use the
// embedded JSON instead. `yaml` declares no `sideEffects`, so esbuild would keep the whole parser
// for an unused re-export; it has none at import time, so say so and let it drop out.
const YAML_WITHOUT_SIDE_EFFECTS: Plugin = {
  name: 'yaml-without-side-effects',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^yaml$/ }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      const resolved = await pluginBuild.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'resolving',
      });
      return { ...resolved, sideEffects: false };
    });
  },
};

// Every AWS SDK client imports its whole package.json (description, scripts, dependencies) for
// one field, the version in its user agent. Bundle name and version only (the saving per function:
// docs/performance.md).
const SDK_CLIENT_PACKAGE_VERSION: Plugin = {
  name: 'sdk-client-package-version',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]package\.json$/ }, async (args) => {
      const { name, version } = JSON.parse(await readFile(args.path, 'utf8')) as {
        name: string;
        version: string;
      };
      return { contents: JSON.stringify({ name, version }), loader: 'json' };
    });
  },
};

// Stages validated at build time besides the ones config/jobs.yml names under `stages`.
const STANDARD_STAGES = ['local', 'ci', 'dev', 'prod'] as const;

/**
 * config/jobs.yml as plain data, validated with lib/config for every stage it names (and the
 * standard ones), so a bad jobs file fails the build instead of a deployment's first invocation.
 * Every `${param:...}` it references must be defined in serverless.yml's `params.default` (an
 * `UndefinedParamError` names the others). Each stage serverless.yml defines is also planned with
 * its params as written there
 * (`planJobSchedules`): a stage whose schedules run refuses sample values (a
 * `PlaceholderValueError` naming the param or jobs.yml path). `--param`s given to `serverless
 * package`/`deploy` are checked there, by scripts/stage-config.cjs. Every job a schedule in
 * serverless.yml or infra/ names must exist here (`ScheduledJobUndefinedError` otherwise). Embedded into the bundles
 * as JSON (`${param:...}` references included; the functions fill them in from `JOB_PARAMS`):
 * the handlers then need no YAML parser and no file read.
 *
 * @example
 * const raw = await readJobsConfig(); // { defaults: {...}, jobs: {...}, stages: {...} }
 */
export async function readJobsConfig(
  file = join(ROOT, 'config', 'jobs.yml'),
  manifestFile = join(ROOT, 'serverless.yml'),
): Promise<unknown> {
  const shown = relative(ROOT, file);
  const raw = parseJobsYaml(await readFile(file, 'utf8'), shown.startsWith('..') ? file : shown);
  const manifest = await readServerlessManifest(manifestFile);
  // First: a misspelt reference would otherwise show as the hole it leaves (`targets.key` missing).
  assertJobParamsDefined(raw, manifest.params.default ?? {});
  const named = Object.keys((raw as { stages?: Record<string, unknown> } | null)?.stages ?? {});
  let jobNames: string[] = [];
  for (const stage of new Set([...STANDARD_STAGES, ...named])) {
    jobNames = [...resolveJobsConfig(raw, stage).jobs.keys()];
  }
  // A renamed job would otherwise pass here and fail packaging at its schedule's State.
  await assertScheduledJobsDefined(jobNames, ROOT, manifestFile);
  for (const stage of Object.keys(manifest.params).filter((name) => name !== 'default')) {
    // A value that is itself a serverless variable (`${ssm:...}`) is known only at deploy time.
    const params = Object.fromEntries(
      Object.entries(stageParams(manifest, stage)).filter(([, value]) => !String(value).includes('${')),
    ) as JobParams;
    planJobSchedules({ jobs: raw, stage, params, alertParams: ['alertEmails', 'alertPhones'] });
  }
  return raw;
}

/**
 * Bundles each Lambda handler into `<outdir>/<name>/index.mjs` with esbuild: ESM for Node 22,
 * minified and tree-shaken, AWS SDK v3 clients bundled (not taken from the runtime, so the
 * version we test is the version we ship and cold starts load one file), an external source map
 * and the esbuild metafile as `meta.json` for the bundle-size benchmark. Builds run in parallel.
 *
 * @example
 * const built = await buildFunctions({ outdir: '/tmp/dist/functions' });
 * for (const f of built) console.log(f.name, f.bytes);
 */
export async function buildFunctions(options: BuildOptions = {}): Promise<BuiltFunction[]> {
  const outdir = resolve(options.outdir ?? join(ROOT, 'dist', 'functions'));
  const names = Object.keys(FUNCTION_ENTRIES) as FunctionName[];
  const jobs = JSON.stringify(await readJobsConfig(options.jobsFile));
  return Promise.all(names.map((name) => buildOne(name, join(outdir, name), jobs)));
}

/**
 * The esbuild settings every Lambda bundle is built with (see {@link buildFunctions}), for the
 * handler module `entry` into `dir` with the jobs configuration `jobsJson` embedded. Exported so
 * the benchmark can build its reference bundles exactly as the functions are built.
 *
 * @example
 * await build(lambdaBundleOptions('/repo/functions/webhook.ts', '/tmp/out/webhook', '{}'));
 */
export function lambdaBundleOptions(entry: string, dir: string, jobsJson: string) {
  return {
    absWorkingDir: ROOT,
    entryPoints: { index: entry },
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    // What only one path needs (the S3 client for file targets, SQS for fan-out, the alert
    // pipeline with SNS) is imported dynamically by functions/shared/runtime.ts and lands in a
    // chunk of its own: a cold start parses only the entry file and the chunks its path loads.
    splitting: true,
    chunkNames: 'chunk-[hash]',
    // The SDK's browser user-agent parser imports bowser dynamically; Node never runs that path,
    // but with splitting on, every dynamic import becomes a chunk (shipped for nothing).
    external: ['bowser'],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    minify: true,
    treeShaking: true,
    sourcemap: 'external',
    // Stack traces need only the mappings; embedding every source (the whole SDK) would triple
    // the zip for nothing the runtime reads.
    sourcesContent: false,
    // Paths in the map relative to the repo, not to the build machine.
    sourceRoot: '',
    legalComments: 'none',
    // Prefer the ESM builds of dual packages (the SDK ships both): they tree-shake better.
    mainFields: ['module', 'main'],
    conditions: ['module', 'import'],
    banner: { js: CJS_BANNER },
    define: { __KGS_JOBS_CONFIG__: jobsJson },
    plugins: [LAMBDA_CREDENTIALS, YAML_WITHOUT_SIDE_EFFECTS, SDK_CLIENT_PACKAGE_VERSION],
    metafile: true,
    logLevel: 'warning',
    write: false,
  } satisfies EsbuildOptions;
}

async function buildOne(name: FunctionName, dir: string, jobsJson: string): Promise<BuiltFunction> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'index.mjs');
  const result = await build(lambdaBundleOptions(join(ROOT, FUNCTION_ENTRIES[name]), dir, jobsJson));
  const outputs = [
    ...result.outputFiles.map((output) => ({ path: output.path, contents: output.contents })),
    { path: join(dir, 'meta.json'), contents: new TextEncoder().encode(JSON.stringify(result.metafile)) },
  ];
  await Promise.all(outputs.map((output) => writeAtomically(output.path, output.contents)));
  // Chunks of an earlier build would be shipped too (the zip takes the whole folder).
  const current = new Set(outputs.map((output) => basename(output.path)));
  const stale = (await readdir(dir)).filter(
    (entry) => /^chunk-.*\.mjs(\.map)?$/.test(entry) && !current.has(entry),
  );
  await Promise.all(stale.map((entry) => rm(join(dir, entry), { force: true })));
  const bytes = outputs
    .filter((output) => output.path.endsWith('.mjs'))
    .reduce((sum, output) => sum + output.contents.byteLength, 0);
  return { name, file, bytes };
}

// Tests and the local runner may build while a packaging run zips the same folder: replacing
// each file by rename means a reader sees the old or the new file, never half of one.
async function writeAtomically(path: string, contents: Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, path);
}

async function main(): Promise<void> {
  // strict: an unknown flag or `--outdir` without a value stops the build instead of being ignored.
  const { outdir, jobs } = parseScriptArgs(
    { outdir: { type: 'string' }, jobs: { type: 'string' } },
    'usage: npm run build -- [--outdir <dir>] [--jobs <jobs.yml>]',
  );
  let built: BuiltFunction[];
  try {
    built = await buildFunctions({
      ...(outdir === undefined ? {} : { outdir }),
      ...(jobs === undefined ? {} : { jobsFile: resolve(jobs) }),
    });
  } catch (error) {
    // A configuration the operator can fix is its message, not a stack trace; exit 1 as a failed check.
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`npm run build: ${error.name}: ${error.message}\nNothing was built.\n`);
    process.exit(1);
  }
  for (const f of built) {
    console.log(
      `${f.name.padEnd(18)} ${(f.bytes / 1024).toFixed(1).padStart(8)} KiB  ${relative(ROOT, f.file)}`,
    );
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
