// The packaged bundles validate with valibot and nothing else: zod (whose schemas cost ~8 ms of
// each cold start to construct) creeping back in would undo docs/performance.md's work, and
// valibot must keep answering with its English default messages, which name the reason.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltFunction, buildFunctions } from '../../scripts/build';
import { findDuplicatePackages } from '../../scripts/findDuplicatePackages';

let dir: string;
let built: BuiltFunction[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kgs-bundles-'));
  built = await buildFunctions({ outdir: dir });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Meta {
  readonly inputs: Record<
    string,
    {
      readonly imports: readonly {
        readonly path: string;
        readonly kind: string;
        readonly external?: boolean;
      }[];
    }
  >;
  readonly outputs: Record<
    string,
    {
      readonly entryPoint?: string;
      readonly inputs: Record<string, { readonly bytesInOutput: number }>;
      readonly imports: readonly { readonly path: string; readonly kind: string }[];
    }
  >;
}

async function metaOf(name: string): Promise<Meta> {
  return JSON.parse(await readFile(join(dir, name, 'meta.json'), 'utf8')) as Meta;
}

/** Every source file in what the function ships: its entry file and all its chunks. */
async function bundledInputs(name: string): Promise<string[]> {
  const meta = await metaOf(name);
  return Object.entries(meta.outputs).flatMap(([file, output]) =>
    file.endsWith('.mjs') ? Object.keys(output.inputs) : [],
  );
}

/**
 * The source files parsed when the output built from `entrySource` loads: that file and its static
 * imports. By default the handler's entry, i.e. what a cold start parses before the handler runs.
 */
async function startupInputs(name: string, entrySource?: string): Promise<string[]> {
  const meta = await metaOf(name);
  const files = Object.keys(meta.outputs);
  const entry = files.find((file) =>
    entrySource === undefined
      ? meta.outputs[file]?.entryPoint?.startsWith('functions/') && file.endsWith('/index.mjs')
      : meta.outputs[file]?.entryPoint === entrySource,
  );
  if (entry === undefined) throw new Error(`${name}: no output built from ${entrySource ?? 'the handler'}`);
  const seen = new Set<string>();
  const visit = (file: string | undefined): void => {
    if (file === undefined || seen.has(file)) return;
    seen.add(file);
    for (const imported of meta.outputs[file]?.imports ?? []) {
      if (imported.kind !== 'import-statement') continue;
      visit(files.find((candidate) => candidate.endsWith(imported.path.replace(/^\.\//, ''))));
    }
  };
  visit(entry);
  return [...seen].flatMap((file) => Object.keys(meta.outputs[file]?.inputs ?? {}));
}

/** The text of everything the function ships that Node loads. */
async function shippedCode(name: string): Promise<string> {
  const files = (await readdir(join(dir, name))).filter((file) => file.endsWith('.mjs'));
  return (await Promise.all(files.map((file) => readFile(join(dir, name, file), 'utf8')))).join('\n');
}

/** The source files `from` reaches through static imports (esbuild's input graph, before tree shaking). */
function staticClosure(meta: Meta, from: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (input: string): void => {
    if (seen.has(input) || meta.inputs[input] === undefined) return;
    seen.add(input);
    for (const imported of meta.inputs[input]?.imports ?? []) {
      if (imported.kind !== 'dynamic-import' && !imported.external) visit(imported.path);
    }
  };
  for (const input of from) visit(input);
  return seen;
}

const LAZY_DIR = 'functions/shared/lazy/';

describe('lazy loading by structure (issue 15, item 6)', () => {
  it('no module outside functions/shared/lazy imports a lazy module statically: only `await import(...)` reaches one', async () => {
    const sources = (await readdir('functions', { recursive: true }))
      .filter((file) => file.endsWith('.ts'))
      .map((file) => join('functions', file))
      .filter((file) => !file.startsWith(LAZY_DIR));
    expect(sources.length).toBeGreaterThan(10);
    const offenders: string[] = [];
    for (const file of sources) {
      const text = await readFile(file, 'utf8');
      // `import x from './lazy/...'`, `import './lazy/...'` and `export ... from './lazy/...'`;
      // `import type` is erased and loads nothing.
      for (const match of text.matchAll(
        /^\s*(import|export)\s+(?!type\b)[^;]*?['"]([^'"]*\/lazy\/[^'"]+)['"]/gms,
      )) {
        offenders.push(`${file}: ${match[2]}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("every function's start-up reaches no lazy module, and nothing that only lazy modules import", async () => {
    for (const { name } of built) {
      const meta = await metaOf(name);
      const entry = Object.values(meta.outputs).find((output) => output.entryPoint?.startsWith('functions/'))
        ?.entryPoint as string;
      const fromEntry = staticClosure(meta, [entry]);
      const lazyModules = Object.keys(meta.inputs).filter((input) => input.startsWith(LAZY_DIR));
      // What each function's paths may load later: at least the alert pipeline (every function
      // can alert), so this test cannot pass by finding nothing.
      expect(lazyModules, name).toContain(`${LAZY_DIR}alertPipeline.ts`);
      expect(
        [...fromEntry].filter((input) => input.startsWith(LAZY_DIR)),
        `${name}: lazy modules reached by a static import`,
      ).toEqual([]);
      const lazyOnly = [...staticClosure(meta, lazyModules)].filter((input) => !fromEntry.has(input));
      expect(lazyOnly.length, name).toBeGreaterThan(10);
      const atStart = new Set(await startupInputs(name));
      expect(
        lazyOnly.filter((input) => atStart.has(input)),
        `${name}: parsed at start-up although only lazy modules import them`,
      ).toEqual([]);
    }
  });
});

describe('function bundles', () => {
  it('carry each npm package once: no second copy in another version (e.g. a nested Powertools commons)', async () => {
    for (const { name } of built) {
      expect(await findDuplicatePackages(await bundledInputs(name), process.cwd()), name).toEqual([]);
    }
  });

  it('ship no code from a dev-only package (yaml, for one, is parsed at build time only)', async () => {
    // package-lock.json marks `dev: true` what only devDependencies need: a production install
    // (npm ci --omit=dev) would not have it, so a bundle that needs it builds from a dev tree only.
    const lock = JSON.parse(await readFile('package-lock.json', 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && entry.dev === true)
      .map(([path]) => `${path}/`);
    expect(devOnly).toContain('node_modules/yaml/');
    for (const { name } of built) {
      const meta = await metaOf(name);
      const shipped = Object.values(meta.outputs).flatMap((output) =>
        Object.entries(output.inputs)
          .filter(([, input]) => input.bytesInOutput > 0)
          .map(([path]) => path),
      );
      expect(
        shipped.filter((path) => devOnly.some((dev) => path.startsWith(dev))),
        name,
      ).toEqual([]);
    }
  });

  it('carry valibot, and no zod at all', async () => {
    for (const { name } of built) {
      const inputs = await bundledInputs(name);
      expect(
        inputs.some((path) => path.includes('node_modules/valibot/')),
        name,
      ).toBe(true);
      expect(
        inputs.filter((path) => path.includes('node_modules/zod/')),
        name,
      ).toEqual([]);
    }
  });

  it('evaluate idempotency settings with Powertools JMESPath itself: no build-time stand-in (issue 15, item 7)', async () => {
    // The functions that bundle idempotency bundle the package it depends on, one copy (the
    // duplicates test above); mainJob.test.ts runs these bundles through every idempotent path.
    let withIdempotency = 0;
    for (const { name } of built) {
      const inputs = await bundledInputs(name);
      if (!inputs.some((path) => path.includes('@aws-lambda-powertools/idempotency/'))) continue;
      withIdempotency += 1;
      expect(
        inputs.some((path) => path.includes('@aws-lambda-powertools/jmespath/')),
        name,
      ).toBe(true);
    }
    expect(withIdempotency).toBeGreaterThanOrEqual(3);
  });

  it("keep each SDK client's name and version (its user agent) from a package.json cut to those", async () => {
    for (const { name } of built) {
      const bundle = await shippedCode(name);
      const manifests = (await bundledInputs(name)).filter((path) =>
        /node_modules\/@aws-sdk\/client-[^/]+\/package\.json$/.test(path),
      );
      // Four clients in the Knox-facing functions; runFailures and knoxEvents, which only alert
      // (DynamoDB, SNS, and the Secrets Manager client Powertools Parameters brings), have three.
      expect(manifests.length, name).toBeGreaterThanOrEqual(
        name === 'run-failures' || name === 'knox-events' ? 3 : 4,
      );
      for (const path of manifests) {
        const manifest = JSON.parse(await readFile(path, 'utf8')) as {
          name: string;
          version: string;
          description: string;
        };
        expect(bundle, path).toContain(`{name:"${manifest.name}",version:"${manifest.version}"}`);
        expect(bundle, path).not.toContain(manifest.description);
      }
    }
  });

  it('load what only one path needs on first use: S3, SQS, the alert pipeline and SNS are not parsed at start-up', async () => {
    const lazyOnly = [
      '@aws-sdk/client-s3/',
      '@aws-sdk/client-sqs/',
      '@aws-sdk/client-sns/',
      'lib/alerts/createAlertPipeline.ts',
      // the run reports' CSV writer loads with the S3 client, on the first chunk with failures
      'node_modules/csv-stringify/',
    ];
    for (const { name } of built) {
      const atStart = await startupInputs(name);
      expect(atStart.length, name).toBeGreaterThan(100);
      for (const part of lazyOnly) {
        expect(
          atStart.filter((path) => path.includes(part)),
          `${name}: ${part}`,
        ).toEqual([]);
      }
      // The alert pipeline's own chunk leaves the SNS client to the first publish.
      const alerting = await startupInputs(name, 'functions/shared/lazy/alertPipeline.ts');
      expect(alerting, name).toContain('lib/alerts/createAlertPipeline.ts');
      expect(
        alerting.filter((path) => path.includes('@aws-sdk/client-sns/')),
        name,
      ).toEqual([]);
      const shipped = await bundledInputs(name);
      // Shipped in a chunk for the invocations that need them...
      expect(
        shipped.some((path) => path.includes('@aws-sdk/client-sns/')),
        name,
      ).toBe(true);
      // ...and only by the functions that have such a path (file targets are the scheduler's;
      // failed-device lists are written by the scheduler's inline chunks and the worker).
      expect(
        shipped.some((path) => path.includes('@aws-sdk/client-s3/')),
        name,
      ).toBe(name === 'scheduled-run' || name === 'operation-worker');
      expect(
        shipped.filter((path) => path.includes('node_modules/bowser/')),
        name,
      ).toEqual([]);
    }
  });

  it('word validation errors in English when loaded alone in a fresh process', async () => {
    const bundle = pathToFileURL(join(dir, 'scheduled-run', 'index.mjs')).href;
    const script = `
      const { handler } = await import(${JSON.stringify(bundle)});
      const context = { functionName: 'scheduled-run', awsRequestId: '1', getRemainingTimeInMillis: () => 1000 };
      try { await handler({ job: '' }, context); } catch (error) { process.stdout.write(error.message); }
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        PATH: process.env.PATH ?? '',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        POWERTOOLS_METRICS_DISABLED: 'true',
      },
    });
    expect(stdout).toBe(
      'scheduled event needs {"job": "<name>"}: Invalid length: Expected >=1 but received 0',
    );
  });
});
