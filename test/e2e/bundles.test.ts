// The packaged bundles validate with zod/mini and its English messages only: classic zod (~99 KB
// that its method API keeps whole) or every locale (~260 KB through `z.locales.xx`) creeping back
// in would undo docs/performance.md's bundle work, and a bundle without the English locale would
// answer "Invalid input" where tests and operators expect the reason.
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
