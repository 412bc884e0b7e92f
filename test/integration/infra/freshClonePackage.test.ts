// Packaging on a fresh clone, exactly as an operator runs it: `npx serverless package --stage prod`
// in a copy of the repository that has no dist/ at all. The CLI's local build plugin
// (scripts/serverless/build-plugin.mjs) must build the bundles itself, from the sources in that
// copy: a marker written into one source file only for this test must be in the zipped bundle.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { access, appendFile, cp, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverlessBin } from '../../../scripts/package';
import { readZip } from '../../helpers/readZip';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// What a clone holds that packaging reads (no dist/, no .serverless/).
const CLONED = [
  'serverless.yml',
  'package.json',
  'tsconfig.json',
  'infra',
  'functions',
  'lib',
  'config',
  'scripts',
];
const MARKER = `fresh-build-${randomUUID()}`;

let clone: string;
let out: string;
let cli: { code: number | null; output: string };
let builtBefore: boolean;

function runCli(args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const { SENTINEL_SKIP_BUILD: _ignored, ...env } = process.env;
    const child = spawn(process.execPath, [serverlessBin(), ...args], {
      cwd,
      env: { ...env, SLS_TELEMETRY_DISABLED: '1', AWS_EC2_METADATA_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, output }));
  });
}

beforeAll(async () => {
  clone = await mkdtemp(join(tmpdir(), 'kgs-fresh-clone-'));
  out = join(clone, 'packaged');
  for (const entry of CLONED) await cp(join(ROOT, entry), join(clone, entry), { recursive: true });
  // npm ci's result, shared rather than reinstalled.
  await symlink(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
  // An exported constant survives tree shaking in the entry bundle.
  await appendFile(join(clone, 'functions', 'webhook.ts'), `\nexport const BUILD_MARKER = '${MARKER}';\n`);
  builtBefore = await access(join(clone, 'dist')).then(
    () => true,
    () => false,
  );
  cli = await runCli(['package', '--stage', 'prod', '--package', out], clone);
}, 180_000);

afterAll(async () => {
  if (clone) await rm(clone, { recursive: true, force: true });
});

describe('npx serverless package --stage prod on a fresh clone', () => {
  it('had nothing built before, and succeeds', async () => {
    expect(builtBefore).toBe(false);
    expect(cli.output).toContain('building the function bundles');
    expect(cli.code, cli.output).toBe(0);
    expect((await readdir(out)).filter((file) => file.endsWith('.zip')).sort()).toEqual([
      'knoxEvents.zip',
      'operationWorker.zip',
      'runFailures.zip',
      'scheduledRun.zip',
      'webhook.zip',
    ]);
  });

  it('zips bundles built from the sources being packaged (the marker is in the webhook bundle only)', async () => {
    const webhook = readZip(await readFile(join(out, 'webhook.zip')));
    expect(webhook.get('dist/functions/webhook/index.mjs')?.toString('utf8')).toContain(MARKER);
    const worker = readZip(await readFile(join(out, 'operationWorker.zip')));
    const workerCode = [...worker]
      .filter(([path]) => path.endsWith('.mjs'))
      .map(([, text]) => text.toString());
    expect(workerCode.length).toBeGreaterThan(0);
    expect(workerCode.join('\n')).not.toContain(MARKER);
  });

  it('packages the prod stage (prod parameters in the template)', async () => {
    const template = JSON.parse(
      await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8'),
    ) as { Resources: Record<string, { Properties: Record<string, unknown> }> };
    const props = template.Resources.WebhookLambdaFunction?.Properties ?? {};
    const env = (props.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.STAGE).toBe('prod');
  });
});
