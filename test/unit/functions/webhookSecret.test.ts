// The webhook's HMAC secret and Knox validation certificate come from Secrets Manager (the local
// stack sets their values directly instead, so the e2e tests never take this path). A minimal
// GetSecretValue endpoint on 127.0.0.1 stands in for Secrets Manager, so the real SDK client and
// Powertools Parameters run as in Lambda.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

const SECRETS: Record<string, { SecretString?: string; SecretBinary?: string }> = {
  'kgs/test/operations-hmac-key': { SecretString: 'new-secret,old-secret' },
  'kgs/test/knox-validation-certificate': {
    SecretString: '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n',
  },
  'kgs/test/cached-secret': { SecretString: 'cached' },
  'kgs/test/binary-secret': { SecretBinary: Buffer.from('binary-value').toString('base64') },
  'kgs/test/empty-secret': { SecretString: '' },
};

let server: Server;
let endpoint: string;
const requested: string[] = [];
const savedEnv = { ...process.env };

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      const target = request.headers['x-amz-target'];
      const { SecretId } = JSON.parse(body) as { SecretId: string };
      requested.push(SecretId);
      const secret = SECRETS[SecretId];
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      if (target !== 'secretsmanager.GetSecretValue' || !secret) {
        response.statusCode = 400;
        response.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'not found' }));
        return;
      }
      response.end(
        JSON.stringify({
          ARN: `arn:aws:secretsmanager:eu-central-1:1:secret:${SecretId}`,
          Name: SecretId,
          ...secret,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  // functions/shared/runtime.ts reads the environment once per module instance.
  vi.resetModules();
  requested.length = 0;
  process.env = {
    ...savedEnv,
    STAGE: 'test',
    STATE_TABLE: 'state',
    ALERT_TOPIC_ARN: 'arn:aws:sns:eu-central-1:1:alerts',
    OPERATIONS_QUEUE_URL: 'http://127.0.0.1/queue',
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
  for (const name of [
    'OPERATIONS_HMAC_SECRET_ID',
    'KNOX_VALIDATION_CERT_SECRET_ID',
    'OPERATIONS_HMAC_SECRET',
    'KNOX_VALIDATION_CERT_PEM',
  ])
    delete process.env[name];
});

afterEach(() => {
  process.env = savedEnv;
});

async function loadWebhookSecret() {
  return (await import('../../../functions/shared/runtime')).webhookSecret;
}

describe('webhookSecret', () => {
  it('reads each secret string from the Secrets Manager secret its variable names', async () => {
    process.env.OPERATIONS_HMAC_SECRET_ID = 'kgs/test/operations-hmac-key';
    process.env.KNOX_VALIDATION_CERT_SECRET_ID = 'kgs/test/knox-validation-certificate';
    const webhookSecret = await loadWebhookSecret();

    const hmac = await webhookSecret('operationsHmac');
    const certificate = await webhookSecret('knoxValidationCert');

    // Comma-separated values stay whole here: the handler splits them into the rotation set.
    expect(hmac).toBe('new-secret,old-secret');
    expect(certificate).toContain('BEGIN PUBLIC KEY');
    expect(requested).toEqual(['kgs/test/operations-hmac-key', 'kgs/test/knox-validation-certificate']);
  });

  it('caches a secret across invocations of the same environment', async () => {
    process.env.OPERATIONS_HMAC_SECRET_ID = 'kgs/test/cached-secret';
    const webhookSecret = await loadWebhookSecret();

    await webhookSecret('operationsHmac');
    const again = await webhookSecret('operationsHmac');

    expect(again).toBe('cached');
    expect(requested).toEqual(['kgs/test/cached-secret']);
  });

  it('prefers the local override variable and then calls no AWS API', async () => {
    process.env.OPERATIONS_HMAC_SECRET_ID = 'kgs/test/operations-hmac-key';
    process.env.OPERATIONS_HMAC_SECRET = 'local-secret';
    process.env.KNOX_VALIDATION_CERT_PEM = 'local-pem';
    const webhookSecret = await loadWebhookSecret();

    expect(await webhookSecret('operationsHmac')).toBe('local-secret');
    expect(await webhookSecret('knoxValidationCert')).toBe('local-pem');
    expect(requested).toEqual([]);
  });

  it('names the missing variable when neither the secret id nor a local value is set', async () => {
    const webhookSecret = await loadWebhookSecret();

    const failure = await webhookSecret('knoxValidationCert').catch((error: unknown) => error);

    // A fresh module graph per test, so the class is compared by name.
    expect(failure).toMatchObject({ name: 'ServiceConfigError' });
    expect((failure as Error).message).toContain('KNOX_VALIDATION_CERT_SECRET_ID');
  });

  it.each([
    ['binary', 'kgs/test/binary-secret'],
    ['empty', 'kgs/test/empty-secret'],
  ])(
    'refuses a secret without a usable secret string (%s), naming the secret, not its value',
    async (_kind, id) => {
      process.env.OPERATIONS_HMAC_SECRET_ID = id;
      const webhookSecret = await loadWebhookSecret();

      const failure = await webhookSecret('operationsHmac').catch((error: unknown) => error);

      expect(failure).toMatchObject({ name: 'ServiceConfigError' });
      expect((failure as Error).message).toContain(`OPERATIONS_HMAC_SECRET_ID: the secret ${id}`);
      expect((failure as Error).message).not.toContain('binary-value');
    },
  );
});
