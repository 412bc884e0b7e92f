// End to end, through the packaged handlers and the local AWS servers (issue 13, items 5 and 6):
// - a scheduled overdue-lock over 1,000 IMEIs Knox Guard does not know, each failing with its own
//   reason, stores nothing near DynamoDB's 400 KB item limit and the admins get the digest;
// - SNS PublishBatch fails during a scheduled run, Lambda retries the run, and the alert and the
//   digest still count each device once (31 and 3, not 62 and 6).
// SNS faults come from a loopback proxy in front of the local SNS endpoint that the packaged
// handlers' SNS client is pointed at (AWS_ENDPOINT_URL_SNS), so the SDK and publisher retries run
// as in Lambda.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DeviceStatus } from '../../lib/knox';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/embedded';
import { tableItemSizes } from '../helpers/itemSize';

const STAGE = 'e2e';

/** A 15-digit IMEI with a valid Luhn check digit, in a TAC range the simulator never issues. */
function unknownImei(n: number): string {
  const body = `49${String(n).padStart(12, '0')}`;
  let sum = 0;
  for (let i = 0; i < body.length; i += 1) {
    let digit = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}

/** Forwards to the local SNS endpoint; answers every PublishBatch with a 500 while `failing`. */
async function startSnsProxy(target: string): Promise<{
  url: string;
  failing: boolean;
  failedPublishes: number;
  close(): Promise<void>;
}> {
  const upstream = new URL(target);
  const state = { failing: false, failedPublishes: 0 };
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      const isPublishBatch =
        text.includes('Action=PublishBatch') ||
        String(incoming.headers['x-amz-target']).endsWith('.PublishBatch');
      if (state.failing && isPublishBatch) {
        state.failedPublishes += 1;
        const json = String(incoming.headers['content-type']).includes('json');
        outgoing.writeHead(500, { 'content-type': json ? 'application/x-amz-json-1.0' : 'text/xml' });
        outgoing.end(
          json
            ? JSON.stringify({ __type: 'InternalFailure', message: 'injected PublishBatch failure' })
            : '<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>injected PublishBatch failure</Message></Error><RequestId>injected</RequestId></ErrorResponse>',
        );
        return;
      }
      const forwarded = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, host: upstream.host },
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on('error', () => outgoing.destroy());
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

let env: EmbeddedStack;
let dir: string;
let dynamo: DynamoDBClient;
let proxy: Awaited<ReturnType<typeof startSnsProxy>>;
const pending: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kgs-e2e-bounded-'));
  env = await startEmbeddedStack({
    stage: STAGE,
    simulator: { seed: { devices: 10, spareSeats: 0 } },
    distDir: join(dir, 'dist'),
    logLevel: 'CRITICAL',
  });
  // The shipped defaults (chunkSize, inlineLimit) from config/jobs.yml; the jobs under test in a
  // JSON copy, as the bundles cannot require the YAML parser.
  const shipped = parse(await readFile(new URL('../../config/jobs.yml', import.meta.url), 'utf8'));
  for (let i = 0; i < 31; i += 1)
    pending.push(env.sim.state.addDevice({ status: DeviceStatus.pending }).deviceUid);
  const jobs = {
    defaults: shipped.defaults,
    jobs: {
      'overdue-lock': {
        operation: 'lock',
        targets: { source: 's3', key: 'overdue/latest.csv' },
        message: 'Your instalment is overdue.',
        contact: { tel: '+49 30 1234567' },
      },
      'approve-new': {
        operation: 'approve',
        targets: {
          source: 'inline',
          deviceUids: [...pending, unknownImei(1), unknownImei(2), unknownImei(3)],
        },
      },
    },
  };
  await writeFile(join(dir, 'jobs.json'), JSON.stringify(jobs));
  process.env.JOBS_CONFIG_PATH = join(dir, 'jobs.json');
  proxy = await startSnsProxy(env.aws.endpoints.sns);
  // Read when the handlers create their SNS client (on the first publish, after this line).
  process.env.AWS_ENDPOINT_URL_SNS = proxy.url;
  dynamo = new DynamoDBClient(env.aws.clientConfig('dynamodb'));
}, 180_000);

afterAll(async () => {
  dynamo?.destroy();
  await proxy?.close();
  await env?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('bounded records', () => {
  it('an overdue-lock over 1,000 unknown IMEIs, each with its own reason, stores no item over 40 KB and sends the digest', async () => {
    // Prepare: the billing system's file lists 1,000 devices Knox Guard has never seen.
    const ids = Array.from({ length: 1000 }, (_, i) => unknownImei(1000 + i));
    const s3 = new S3Client(env.aws.clientConfig('s3'));
    await s3.send(
      new PutObjectCommand({
        Bucket: env.stack.bucket,
        Key: 'overdue/latest.csv',
        Body: `deviceUid\n${ids.join('\n')}\n`,
      }),
    );
    s3.destroy();

    // Act
    const summary = await env.runSchedule('overdue-lock', new Date('2026-11-25T07:00:00Z'));

    // Assess: the run finished on its first attempt, every record is small, the admins know.
    expect(summary).toMatchObject({
      mode: 'inline',
      targets: 1000,
      succeeded: 0,
      failuresByCode: { DEVICE_NOT_FOUND: 1000 },
    });
    const sizes = await tableItemSizes(dynamo, env.stack.tableName);
    expect(sizes.length).toBeGreaterThan(0);
    expect(sizes[0]?.bytes).toBeLessThan(40_000);
    // The inline chunk's idempotency record (Powertools hashes its key) holds the chunk outcome.
    const record = sizes.find((entry) => entry.item.data?.M?.runId?.S?.startsWith('overdue-lock@'));
    expect(record?.item.status?.S).toBe('COMPLETED');
    const { email } = await env.readAlerts();
    expect(email.map((message) => message.subject)).toEqual([
      `[KG ${STAGE}] Digest: 1,000 devices failed (1 code) - overdue-lock`,
    ]);
    expect(email[0]?.email).toContain('DEVICE_NOT_FOUND (4040300): 1,000 devices');
    expect(email[0]?.email).not.toContain(ids[0]);
  });

  it('counts each device once when PublishBatch fails and Lambda retries the run: 31 in the alert, 3 in the digest', async () => {
    // Prepare: SNS refuses every PublishBatch during the run's first attempt only.
    const handlers = env.handlers as { scheduledRun: (event: unknown, context: unknown) => Promise<unknown> };
    const scheduledRun = handlers.scheduledRun;
    let attempts = 0;
    handlers.scheduledRun = async (event, context) => {
      attempts += 1;
      proxy.failing = attempts === 1;
      try {
        return await scheduledRun(event, context);
      } finally {
        proxy.failing = false;
      }
    };

    // Act
    let summary: unknown;
    try {
      summary = await env.runSchedule('approve-new', new Date('2026-11-25T08:00:00Z'));
    } finally {
      handlers.scheduledRun = scheduledRun;
    }

    // Assess: the first attempt failed at PublishBatch, the retry delivered exact counts.
    expect(proxy.failedPublishes).toBeGreaterThan(0);
    expect(attempts).toBe(2);
    expect(summary).toMatchObject({
      mode: 'inline',
      targets: 34,
      failuresByCode: { LICENSE_IS_LACK: 31, DEVICE_NOT_FOUND: 3 },
    });
    const { email } = await env.readAlerts();
    const alert = email.find((message) => message.attributes.code === 'LICENSE_IS_LACK');
    const digest = email.find((message) => message.attributes.kind === 'digest');
    expect(email).toHaveLength(2);
    expect(alert?.email).toContain('Devices affected: 31 devices');
    expect(alert?.email).not.toContain('62 devices');
    expect(digest?.subject).toBe(`[KG ${STAGE}] Digest: 3 devices failed (1 code) - approve-new`);
    expect(digest?.email).toContain('DEVICE_NOT_FOUND (4040300): 3 devices');
  });
});
