// The batch resender across the real boundary: the real SNS and SQS SDK clients, configured as the
// functions configure them (AWS_CLIENT_CONFIG), against fauxqs through loopback proxies that make
// PublishBatch / SendMessageBatch answer 200 with per-entry failures, as AWS does.
import { setTimeout as wait } from 'node:timers/promises';
import { SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_CLIENT_CONFIG } from '../../../functions/shared/awsClientConfig';
import { createSnsAlertPublisher } from '../../../lib/alerts/createSnsAlertPublisher';
import { AlertPublishError } from '../../../lib/alerts/errors';
import type { AlertMessage } from '../../../lib/alerts/types';
import type { ChunkMessage } from '../../../lib/operations';
import { ChunkQueueError, createSqsChunkQueue } from '../../../lib/operations/sqsChunkQueue';
import { KnoxEventQueueError } from '../../../lib/webhooks/KnoxEventQueue';
import { createSqsKnoxEventQueue } from '../../../lib/webhooks/sqsKnoxEventQueue';
import { createAlertTopic, createInbox, type LocalAws, readInbox, startLocalAws } from '../../../local/aws';
import { startFaultProxy } from '../../helpers/faultProxy';
import { type SnsFaultProxy, startSnsFaultProxy } from '../../helpers/snsFaultProxy';
import { type SqsFaultProxy, startSqsFaultProxy } from '../../helpers/sqsFaultProxy';

let local: LocalAws;
let sns: SnsFaultProxy;
let sqs: SqsFaultProxy;
const clients: { destroy(): void }[] = [];

beforeAll(async () => {
  local = await startLocalAws();
  sns = await startSnsFaultProxy(local.endpoints.sns);
  sqs = await startSqsFaultProxy(local.endpoints.sqs);
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await sns?.close();
  await sqs?.close();
  await local?.close();
});

function snsClient(): SNSClient {
  const client = new SNSClient({ ...AWS_CLIENT_CONFIG, ...local.clientConfig('sns'), endpoint: sns.url });
  clients.push(client);
  return client;
}

function sqsClient(): SQSClient {
  const client = new SQSClient({
    ...AWS_CLIENT_CONFIG,
    ...local.clientConfig('sqs'),
    endpoint: sqs.url,
    useQueueUrlAsEndpoint: false,
  });
  clients.push(client);
  return client;
}

const alert = (n: number): AlertMessage => ({
  id: `alert-${n}`,
  subject: `[KG test] CRITICAL LICENSE_IS_LACK ${n}`,
  email: `e-mail ${n}`,
  sms: `sms ${n}`,
  attributes: {
    severity: 'critical',
    code: 'LICENSE_IS_LACK',
    category: 'license',
    stage: 'test',
    job: 'overdue-lock',
    kind: 'firing',
  },
});

const chunkMessage = (chunk: number): ChunkMessage => ({
  v: 1,
  stage: 'test',
  job: 'overdue-lock',
  runId: 'run-resend',
  operation: 'lock',
  params: { message: 'Pay', tel: '+4930123456' },
  chunk,
  attempt: 0,
  deviceUids: [`35693803564${String(chunk).padStart(4, '0')}`],
});

/** A sleep that waits for real and records when each wait ends (epoch ms). */
function recordingSleep() {
  const ends: number[] = [];
  return {
    ends,
    sleep: async (ms: number) => {
      ends.push(Date.now() + ms);
      await wait(ms);
    },
  };
}

async function receiveAll(client: SQSClient, queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { Messages } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (!Messages?.length) return bodies;
    bodies.push(...Messages.map((message) => message.Body ?? ''));
  }
}

describe('SNS PublishBatch per-entry failures', () => {
  it('re-sends only the failed entry; every alert reaches the inbox once', async () => {
    // Prepare: SNS fails entry e1 until the publisher backs off (the fault passes meanwhile).
    const topicArn = await createAlertTopic(local, 'resend-ok');
    const inbox = await createInbox(local, { topicArn, name: 'resend-ok-inbox' });
    sns.calls.length = 0;
    sns.senderFault = false;
    sns.failEntryIds = new Set(['e1']);
    const publisher = createSnsAlertPublisher({
      client: snsClient(),
      topicArn,
      sleep: async () => {
        sns.failEntryIds = undefined;
      },
    });

    // Act
    await publisher.publish([alert(0), alert(1), alert(2)]);

    // Assess
    expect(sns.calls).toEqual([['e0', 'e1', 'e2'], ['e1']]);
    const received = await readInbox(local, inbox.queueUrl);
    expect(received.map((message) => message.subject).sort()).toEqual([
      '[KG test] CRITICAL LICENSE_IS_LACK 0',
      '[KG test] CRITICAL LICENSE_IS_LACK 1',
      '[KG test] CRITICAL LICENSE_IS_LACK 2',
    ]);
  });

  it('never re-sends an entry SNS refused as the sender fault, and names it in the error', async () => {
    const topicArn = await createAlertTopic(local, 'resend-refused');
    sns.calls.length = 0;
    sns.senderFault = true;
    sns.failEntryIds = new Set(['e0']);
    const publisher = createSnsAlertPublisher({ client: snsClient(), topicArn, sleep: async () => {} });

    const error = await publisher.publish([alert(0), alert(1)]).catch((caught: unknown) => caught);

    sns.failEntryIds = undefined;
    expect(error).toBeInstanceOf(AlertPublishError);
    expect(error).toMatchObject({ failedIds: ['alert-0'], sentIds: ['alert-1'] });
    expect((error as AlertPublishError).cause).toMatchObject({ code: 'InvalidParameter', senderFault: true });
    expect(sns.calls).toEqual([['e0', 'e1']]);
  });

  it('gives up an entry that keeps failing before a wait would pass the deadline', async () => {
    // Prepare: e0 fails on every call; attempts would allow 50 calls, the deadline far fewer.
    const topicArn = await createAlertTopic(local, 'resend-deadline');
    sns.calls.length = 0;
    sns.senderFault = false;
    sns.failEntryIds = new Set(['e0']);
    const { ends, sleep } = recordingSleep();
    const publisher = createSnsAlertPublisher({ client: snsClient(), topicArn, sleep, maxAttempts: 50 });
    const deadline = Date.now() + 1_500;

    // Act
    const error = await publisher
      .publish([alert(0), alert(1)], { deadline })
      .catch((caught: unknown) => caught);

    // Assess
    sns.failEntryIds = undefined;
    expect(error).toMatchObject({ name: 'AlertPublishError', failedIds: ['alert-0'], sentIds: ['alert-1'] });
    expect(sns.calls.length).toBeGreaterThan(1);
    expect(sns.calls.length).toBeLessThan(50);
    expect(sns.calls.slice(1).every((ids) => ids.length === 1 && ids[0] === 'e0')).toBe(true);
    for (const end of ends) expect(end).toBeLessThan(deadline);
  });
});

describe('whole-call failures', () => {
  it("are the SDK's to retry: a PublishBatch answered 500 is tried maxAttempts (3) times, not again on top", async () => {
    // Prepare: every PublishBatch answered 500 InternalError by a proxy in front of SNS.
    const topicArn = await createAlertTopic(local, 'resend-500');
    const proxy = await startFaultProxy(local.endpoints.sns);
    proxy.setRule((request) => (request.body.includes('Action=PublishBatch') ? '500' : undefined));
    const client = new SNSClient({ ...AWS_CLIENT_CONFIG, ...local.clientConfig('sns'), endpoint: proxy.url });
    clients.push(client);
    const sleeps: number[] = [];
    const publisher = createSnsAlertPublisher({
      client,
      topicArn,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });

    // Act
    const error = await publisher.publish([alert(0)]).catch((caught: unknown) => caught);
    await proxy.close();

    // Assess: the SDK's three attempts, no resend loop of the publisher's own around them.
    expect(error).toMatchObject({ name: 'AlertPublishError', failedIds: ['alert-0'] });
    expect((error as AlertPublishError).cause).toMatchObject({
      name: 'InternalErrorException',
      $metadata: { attempts: AWS_CLIENT_CONFIG.maxAttempts },
    });
    expect(proxy.injected).toHaveLength(AWS_CLIENT_CONFIG.maxAttempts);
    expect(sleeps).toEqual([]);
  });
});

describe('SQS SendMessageBatch per-entry failures', () => {
  it('the chunk queue re-sends only the failed entry; every chunk is queued once', async () => {
    // Prepare
    const client = sqsClient();
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'resend-chunks' }));
    sqs.batchCalls = 0;
    sqs.failFromCall = undefined;
    sqs.failEntryIds = new Set(['1']);
    const queue = createSqsChunkQueue({
      client,
      queueUrl: QueueUrl as string,
      sleep: async () => {
        sqs.failEntryIds = undefined;
      },
    });

    // Act
    await queue.send([chunkMessage(0), chunkMessage(1), chunkMessage(2)]);

    // Assess: two calls (the second with entry 1 alone), each chunk on the queue exactly once.
    expect(sqs.batchCalls).toBe(2);
    const chunks = (await receiveAll(client, QueueUrl as string)).map(
      (body) => (JSON.parse(body) as ChunkMessage).chunk,
    );
    expect(chunks.sort()).toEqual([0, 1, 2]);
  });

  it('the chunk queue stops at its deadline and names the chunk not queued', async () => {
    const client = sqsClient();
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'resend-chunks-deadline' }));
    sqs.batchCalls = 0;
    sqs.failEntryIds = new Set(['0']);
    const { ends, sleep } = recordingSleep();
    const deadline = Date.now() + 1_500;
    const queue = createSqsChunkQueue({
      client,
      queueUrl: QueueUrl as string,
      sleep,
      maxAttempts: 50,
      deadline: () => deadline,
    });

    const error = await queue.send([chunkMessage(7), chunkMessage(8)]).catch((caught: unknown) => caught);

    sqs.failEntryIds = undefined;
    expect(error).toBeInstanceOf(ChunkQueueError);
    expect(error).toMatchObject({ failedChunks: [7], retryable: true });
    expect(sqs.batchCalls).toBeGreaterThan(1);
    expect(sqs.batchCalls).toBeLessThan(50);
    for (const end of ends) expect(end).toBeLessThan(deadline);
  });

  it('the Knox events queue re-sends only the failed entry, and stops at its deadline', async () => {
    // Prepare
    const client = sqsClient();
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'resend-knox-events' }));
    sqs.batchCalls = 0;
    sqs.failEntryIds = new Set(['2']);
    const healing = createSqsKnoxEventQueue({
      client,
      queueUrl: QueueUrl as string,
      sleep: async () => {
        sqs.failEntryIds = undefined;
      },
    });

    // Act 1: the fault passes during the backoff.
    await healing.send(['a', 'b', 'c']);
    const bodies = await receiveAll(client, QueueUrl as string);

    // Act 2: entry 0 keeps failing; 50 attempts allowed, 1 s of time.
    sqs.batchCalls = 0;
    sqs.failEntryIds = new Set(['0']);
    const { ends, sleep } = recordingSleep();
    const deadline = Date.now() + 1_000;
    const stubborn = createSqsKnoxEventQueue({
      client,
      queueUrl: QueueUrl as string,
      sleep,
      maxAttempts: 50,
      deadline: () => deadline,
    });
    const error = await stubborn.send(['x', 'y']).catch((caught: unknown) => caught);
    sqs.failEntryIds = undefined;

    // Assess
    expect(bodies.sort()).toEqual(['a', 'b', 'c']);
    expect(error).toBeInstanceOf(KnoxEventQueueError);
    expect(error).toMatchObject({ queued: 1, notQueued: 1 });
    expect(sqs.batchCalls).toBeGreaterThan(1);
    expect(sqs.batchCalls).toBeLessThan(50);
    for (const end of ends) expect(end).toBeLessThan(deadline);
    expect(await receiveAll(client, QueueUrl as string)).toEqual(['y']);
  });
});
