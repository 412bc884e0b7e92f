// The packaged bundles validate with zod/mini and its English messages only: classic zod (~99 KB
// that its method API keeps whole) or every locale (~260 KB through `z.locales.xx`) creeping back
// in would undo docs/performance.md's bundle work, and a bundle without the English locale would
// answer "Invalid input" where tests and operators expect the reason. Likewise the build's
// stand-ins for packages the functions need only a sliver of must stay in place.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltFunction, buildFunctions } from '../../scripts/build';

let dir: string;
let built: BuiltFunction[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kgs-bundles-'));
  built = await buildFunctions({ outdir: dir });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function bundledInputs(name: string): Promise<string[]> {
  const meta = JSON.parse(await readFile(join(dir, name, 'meta.json'), 'utf8')) as {
    outputs: Record<string, { entryPoint?: string; inputs: Record<string, unknown> }>;
  };
  return Object.values(meta.outputs).flatMap((output) =>
    output.entryPoint ? Object.keys(output.inputs) : [],
  );
}

describe('function bundles', () => {
  it('carry zod/mini with the English locale, and neither classic zod nor other locales', async () => {
    for (const { name } of built) {
      const zod = (await bundledInputs(name)).filter((path) => path.includes('node_modules/zod/'));
      expect(
        zod.filter((path) => path.includes('/v4/classic/')),
        name,
      ).toEqual([]);
      expect(
        zod.some((path) => path.includes('/v4/mini/')),
        name,
      ).toBe(true);
      expect(
        zod.filter((path) => /\/locales\/(?!en\.js$|index\.js$)/.test(path)),
        name,
      ).toEqual([]);
      expect(zod, name).toContain('node_modules/zod/v4/locales/en.js');
    }
  });

  it('evaluate idempotency settings with the field-name subset of JMESPath, not the whole package', async () => {
    // scripts/build.ts swaps in functions/shared/jmespathFields.ts; mainJob.test.ts runs these
    // bundles through every idempotent path, test/unit/functions/jmespathFields.test.ts compares
    // the subset with the real package.
    for (const { name } of built) {
      const inputs = await bundledInputs(name);
      expect(
        inputs.filter((path) => path.includes('@aws-lambda-powertools/jmespath/')),
        name,
      ).toEqual([]);
      expect(inputs, name).toContain('functions/shared/jmespathFields.ts');
      expect(
        inputs.some((path) => path.includes('@aws-lambda-powertools/idempotency/')),
        name,
      ).toBe(true);
    }
  });

  it("keep each SDK client's name and version (its user agent) from a package.json cut to those", async () => {
    for (const { name } of built) {
      const bundle = await readFile(join(dir, name, 'index.mjs'), 'utf8');
      const manifests = (await bundledInputs(name)).filter((path) =>
        /node_modules\/@aws-sdk\/client-[^/]+\/package\.json$/.test(path),
      );
      expect(manifests.length, name).toBeGreaterThanOrEqual(4);
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
      'scheduled event needs {"job": "<name>"}: Too small: expected string to have >=1 characters',
    );
  });
});
