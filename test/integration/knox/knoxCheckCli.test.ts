// The real CLI (`tsx scripts/knox-check.ts`, what `npm run knox:check` runs) as a child process
// against the strict simulator on 127.0.0.1:0, with a temporary certificate.json, and with
// `--stage`, which reads the stage's Knox credentials secret through the AWS SDK. The project has
// no local Secrets Manager (fauxqs covers SNS/SQS/S3, dynalite DynamoDB), so a minimal HTTP server
// on 127.0.0.1 speaks the Secrets Manager JSON protocol for `GetSecretValue` (x-amz-target
// `secretsmanager.GetSecretValue`, `{SecretId}` in, `{ARN, Name, SecretString}` out); the real
// SecretsManagerClient reaches it through its `endpoint` option (in-process) or the SDK's
// `AWS_ENDPOINT_URL_SECRETS_MANAGER` variable (the CLI).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantCheckReport } from '../../../lib/knox/check';
import { KnoxCheckSetupError } from '../../../lib/knox/check/KnoxCheckSetupError';
import { readCredentialsSecret } from '../../../lib/knox/check/readCredentialsSecret';
import { KNOX_CONTRACT } from '../../../lib/knox/contract';
import { type KnoxSimulator, startKnoxSimulator } from '../../../local/simulator';

const ROOT = join(import.meta.dirname, '../../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const STAGE_SECRET = 'knox-guard-sentinel/ci/knox-credentials';

let sim: KnoxSimulator;
let secrets: Server;
let secretsUrl: string;
let dir: string;
let certificateFile: string;
const secretValues = new Map<string, string>();

beforeAll(async () => {
  sim = await startKnoxSimulator();
  dir = await mkdtemp(join(tmpdir(), 'knox-check-'));
  certificateFile = join(dir, 'certificate.json');
  await writeFile(certificateFile, JSON.stringify(sim.certificate));
  secretValues.set(
    STAGE_SECRET,
    JSON.stringify({ clientIdentifier: sim.clientIdentifier, certificate: sim.certificate }),
  );
  secretValues.set('kgs/no-client', JSON.stringify({ certificate: sim.certificate }));
  secrets = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      const { SecretId } = JSON.parse(body) as { SecretId: string };
      const value = secretValues.get(SecretId);
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      if (request.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue' || value === undefined) {
        response.statusCode = 400;
        response.end(
          JSON.stringify({
            __type: 'ResourceNotFoundException',
            message: "Secrets Manager can't find the specified secret.",
          }),
        );
        return;
      }
      response.end(
        JSON.stringify({
          ARN: `arn:aws:secretsmanager:eu-central-1:111122223333:secret:${SecretId}-AbCdEf`,
          Name: SecretId,
          SecretString: value,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => secrets.listen(0, '127.0.0.1', resolve));
  secretsUrl = `http://127.0.0.1:${(secrets.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await sim?.close();
  await new Promise<void>((resolve) => secrets?.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      TSX,
      ['scripts/knox-check.ts', ...args],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: dir,
          // No real AWS configuration or instance metadata may be read.
          AWS_CONFIG_FILE: join(dir, 'none'),
          AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
          AWS_EC2_METADATA_DISABLED: 'true',
          ...env,
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const readReport = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as TenantCheckReport;
const rowLines = (stdout: string) =>
  stdout.split('\n').filter((line) => /^(pass|differs|error|skipped) /.test(line));

describe('npm run knox:check (the CLI)', () => {
  it('passes read-only against the simulator: one line per contract row, the JSON report, exit 0', async () => {
    const out = join(dir, 'read-only.json');

    const run = await cli([
      '--certificate',
      certificateFile,
      '--client-id',
      sim.clientIdentifier,
      '--base-url',
      sim.url,
      '--out',
      out,
    ]);

    expect(run.code).toBe(0);
    expect(rowLines(run.stdout).map((line) => line.split(/\s+/)[1])).toEqual(KNOX_CONTRACT.map((r) => r.id));
    expect(run.stdout).toContain('4 pass, 0 differs, 0 error');
    const report = await readReport(out);
    expect(report.exitCode).toBe(0);
    expect(report.rows.find((r) => r.id === 'deviceList:POST')?.status).toBe('pass');
    const json = JSON.stringify(report) + run.stdout + run.stderr;
    expect(json).not.toContain(sim.certificate.Private.slice(40, 80));
    expect(json).not.toMatch(/\d{15}/);
  });

  it('with --device runs the async operation and its transaction, exit 0', async () => {
    const device = sim.state.addDevice({ status: 'Enrolled' }).deviceUid;
    const out = join(dir, 'device.json');

    const run = await cli([
      '--certificate',
      certificateFile,
      '--client-id',
      sim.clientIdentifier,
      '--base-url',
      sim.url,
      '--device',
      device,
      '--out',
      out,
    ]);

    expect(run.code).toBe(0);
    const report = await readReport(out);
    expect(report.rows.find((r) => r.id === 'transaction:POST')).toMatchObject({
      status: 'pass',
      findings: { handleSource: 'sent x-knox-transactionId', statusField: 'absent', deviceResult: 'SUCCESS' },
    });
    expect(JSON.stringify(report) + run.stdout).not.toContain(device);
  });

  it('writes a report and exits 1 when the port is closed', async () => {
    const closed = await startKnoxSimulator({ seed: 'empty' });
    const url = closed.url;
    await closed.close();
    const out = join(dir, 'closed.json');

    const run = await cli([
      '--certificate',
      certificateFile,
      '--client-id',
      'x',
      '--base-url',
      url,
      '--out',
      out,
    ]);

    expect(run.code).toBe(1);
    expect((await readReport(out)).rows[0]).toMatchObject({ id: 'accessToken:POST', status: 'error' });
  });

  it('exits 2 with the usage for an unknown option, a missing credential or a bad region', async () => {
    const unknown = await cli(['--certificate', certificateFile, '--colour']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--colour'");
    expect(unknown.stderr).toContain('Usage:');

    const missing = await cli(['--region', 'eu']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('give --certificate and --client-id, or --stage');

    const region = await cli(['--certificate', certificateFile, '--client-id', 'x', '--region', 'mars']);
    expect(region.code).toBe(2);
    expect(region.stderr).toContain('--region must be eu, us or an AWS region');
  });

  it('--stage reads the stage secret named by serverless.yml through the SDK and checks with it', async () => {
    const out = join(dir, 'stage.json');
    const env = {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsUrl,
      AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
      AWS_SECRET_ACCESS_KEY: 'local-test-secret',
    };

    const run = await cli(
      ['--stage', 'ci', '--region', 'eu-central-1', '--base-url', sim.url, '--out', out],
      env,
    );

    expect(run.code).toBe(0);
    const report = await readReport(out);
    expect(report.target.credentials).toBe(`secret ${STAGE_SECRET} (eu-central-1), stage ci`);
    expect(report.summary.pass).toBe(4);

    const absent = await cli(['--stage', 'ci', '--secret-id', 'kgs/absent', '--base-url', sim.url], env);
    expect(absent.code).toBe(2);
    expect(absent.stderr).toContain('Secrets Manager could not read kgs/absent: ResourceNotFoundException');
  });
});

describe('readCredentialsSecret (the real SecretsManagerClient against the local GetSecretValue endpoint)', () => {
  const client = () =>
    new SecretsManagerClient({
      region: 'eu-central-1',
      endpoint: secretsUrl,
      credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' },
    });

  it('returns {clientIdentifier, certificate} as the functions read it', async () => {
    const secret = await readCredentialsSecret(client(), STAGE_SECRET);
    expect(secret).toEqual({ clientIdentifier: sim.clientIdentifier, certificate: sim.certificate });
  });

  it('names the secret and what is missing, never the value', async () => {
    const error = await readCredentialsSecret(client(), 'kgs/no-client').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KnoxCheckSetupError);
    expect((error as Error).message).toBe('The secret kgs/no-client has no clientIdentifier.');
    const absent = await readCredentialsSecret(client(), 'kgs/absent').catch((e: unknown) => e);
    expect((absent as Error).message).toMatch(
      /^Secrets Manager could not read kgs\/absent: ResourceNotFoundException/,
    );
  });
});
