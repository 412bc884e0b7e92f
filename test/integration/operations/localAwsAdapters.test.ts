import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChunkMessage, createDynamoRunTracker, parseChunkMessage } from '../../../lib/operations';
import { resolveTargets } from '../../../lib/operations/resolveTargets';
import { createS3ObjectSource } from '../../../lib/operations/s3ObjectSource';
import { ChunkQueueError, createSqsChunkQueue } from '../../../lib/operations/sqsChunkQueue';
import { createTargetsReport } from '../../../lib/operations/targetsReport';
import { createAlertStateTable, type LocalAws, startLocalAws } from '../../../local/aws';
import { withCheckDigit } from '../../unit/webhooks/helpers';

let local: LocalAws;
beforeAll(async () => {
  local = await startLocalAws();
  await createAlertStateTable(local, 'state');
});
afterAll(async () => {
  await local?.close();
});

const message = (chunk: number): ChunkMessage => ({
  v: 1,
  stage: 'test',
  job: 'overdue-lock',
  runId: 'run-1',
  operation: 'lock',
  params: { message: 'Pay', tel: '+4930123456' },
  chunk,
  attempt: 0,
  deviceUids: [`35693803564${String(chunk).padStart(4, '0')}`],
});

describe('createSqsChunkQueue against fauxqs', () => {
  it('sends 23 chunk messages in batches of 10 and they arrive intact', async () => {
    const sqs = new SQSClient({ ...local.clientConfig('sqs'), useQueueUrlAsEndpoint: false });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'chunks' }));
    const calls: number[] = [];
    sqs.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Entries?: unknown[] };
        if (input.Entries) calls.push(input.Entries.length);
        return next(args);
      },
      { step: 'initialize', name: 'countBatches' },
    );
    const queue = createSqsChunkQueue({ client: sqs, queueUrl: QueueUrl as string });
    await queue.send(Array.from({ length: 23 }, (_, i) => message(i)));
    expect(calls).toEqual([10, 10, 3]);
    const received: ChunkMessage[] = [];
    for (;;) {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      if (!Messages?.length) break;
      received.push(...Messages.map((m) => parseChunkMessage(m.Body ?? '')));
    }
    expect(received.map((m) => m.chunk).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 23 }, (_, i) => i),
    );
    sqs.destroy();
  });

  it('retries entries SQS reports as failed and throws ChunkQueueError when they keep failing', async () => {
    const sqs = new SQSClient({ ...local.clientConfig('sqs'), useQueueUrlAsEndpoint: false });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'flaky' }));
    let failNext = 2;
    sqs.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const output = (result.output ?? {}) as { Successful?: { Id: string }[]; Failed?: unknown[] };
        if (output.Successful && failNext > 0) {
          failNext -= 1;
          // Report the first entry as failed although SQS took it: the retry must resend only it.
          const [first, ...rest] = output.Successful;
          if (first) {
            output.Successful = rest;
            output.Failed = [
              { Id: first.Id, Code: 'InternalError', SenderFault: false, Message: 'injected' },
            ];
          }
        }
        return result;
      },
      { step: 'initialize', name: 'injectPartialFailure' },
    );
    const sizes: number[] = [];
    sqs.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Entries?: { MessageBody?: string }[] };
        if (input.Entries) sizes.push(input.Entries.length);
        return next(args);
      },
      { step: 'initialize', name: 'countEntries' },
    );
    const queue = createSqsChunkQueue({ client: sqs, queueUrl: QueueUrl as string, sleep: async () => {} });
    await queue.send([message(0), message(1)]);
    // The entry reported failed (twice) is resent alone; the accepted one is not resent.
    expect(sizes).toEqual([2, 1, 1]);
    failNext = 99;
    const stubborn = createSqsChunkQueue({
      client: sqs,
      queueUrl: QueueUrl as string,
      sleep: async () => {},
      maxAttempts: 3,
    });
    await expect(stubborn.send([message(5)])).rejects.toBeInstanceOf(ChunkQueueError);
    sqs.destroy();
  });
});

describe('createS3ObjectSource against fauxqs', () => {
  // Issue 13 item 13: SQS refuses U+FFFF; retrying the same message cannot help.
  it('does not retry a message SQS refuses for its characters, and says it is not retryable', async () => {
    const sqs = new SQSClient({ ...local.clientConfig('sqs'), useQueueUrlAsEndpoint: false });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'refusing' }));
    let calls = 0;
    sqs.middlewareStack.add(
      (next) => async (args) => {
        calls += 1;
        return next(args);
      },
      { step: 'initialize', name: 'countCalls' },
    );
    const queue = createSqsChunkQueue({ client: sqs, queueUrl: QueueUrl as string, sleep: async () => {} });
    const poisoned = { ...message(1), params: { message: 'Bitte zahlen\uFFFF', tel: '+4930123456' } };
    const error = await queue.send([message(0), poisoned]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChunkQueueError);
    expect(error).toMatchObject({ retryable: false, code: 'InvalidMessageContents', failedChunks: [1] });
    expect(calls).toBe(1);
    sqs.destroy();
  });

  it('streams a billing CSV from the bucket into device ids', async () => {
    const s3 = new S3Client(local.clientConfig('s3'));
    await s3.send(new CreateBucketCommand({ Bucket: 'targets' }));
    const imei = (i: number) => withCheckDigit(`3569380${String(i).padStart(7, '0')}`);
    // A semicolon export with a BOM, quoted names holding the separator and one unreadable row.
    const rows = Array.from({ length: 5000 }, (_, i) => `"Doe; C-${i}";${imei(i)}`);
    rows.splice(2500, 0, 'broken"row;356938035643809');
    await s3.send(
      new PutObjectCommand({
        Bucket: 'targets',
        Key: 'overdue/latest.csv',
        Body: `\uFEFFcustomer;imei\r\n${rows.join('\r\n')}\r\n`,
      }),
    );
    const ids: string[] = [];
    const report = createTargetsReport();
    for await (const id of resolveTargets(
      { source: 's3', key: 'overdue/latest.csv' },
      { objects: createS3ObjectSource({ client: s3, bucket: 'targets' }), report },
    )) {
      ids.push(id);
    }
    expect(ids).toHaveLength(5000);
    expect(ids[4999]).toBe(imei(4999));
    expect(report.result()).toEqual({
      count: 1,
      byReason: { 'unreadable row': 1 },
      sample: ['line 2502: unreadable CSV row (INVALID_OPENING_QUOTE)'],
    });
    await expect(
      createS3ObjectSource({ client: s3, bucket: 'targets' }).open('missing.csv'),
    ).rejects.toThrow();
    s3.destroy();
  });
});

describe('createDynamoRunTracker against dynalite', () => {
  it('reports a run complete only once every chunk is done, however workers and the scheduler interleave', async () => {
    const run = { stage: 'test', job: 'overdue-lock', runId: 'run-7' };
    // Ten workers, each with its own client, finish chunks 0..4 twice over (redeliveries) while
    // the scheduler reports the total in the middle.
    const workers = Array.from({ length: 10 }, () =>
      createDynamoRunTracker({
        client: new DynamoDBClient(local.clientConfig('dynamodb')),
        tableName: 'state',
      }),
    );
    const scheduler = createDynamoRunTracker({
      client: new DynamoDBClient(local.clientConfig('dynamodb')),
      tableName: 'state',
    });
    const early = await Promise.all([0, 1, 2, 0, 1].map((chunk, i) => workers[i]?.chunkDone(run, chunk)));
    const queued = await scheduler.queued(run, 5);
    const fourth = await workers[5]?.chunkDone(run, 3);
    const last = await Promise.all([4, 4].map((chunk, i) => workers[6 + i]?.chunkDone(run, chunk)));
    const redelivered = await workers[9]?.chunkDone(run, 2);
    expect(early.map((answer) => answer?.complete)).toEqual([false, false, false, false, false]);
    expect(queued.complete).toBe(false);
    expect(fourth?.complete).toBe(false);
    // Both concurrent deliveries of the last chunk see the run complete; the digest flush they
    // trigger is deduplicated by the alert pipeline.
    expect(last.map((answer) => answer?.complete)).toEqual([true, true]);
    expect(redelivered?.complete).toBe(true);
  });

  it('lets the scheduler complete a run whose workers were all faster', async () => {
    const tracker = createDynamoRunTracker({
      client: new DynamoDBClient(local.clientConfig('dynamodb')),
      tableName: 'state',
    });
    const run = { stage: 'test', job: 'overdue-lock', runId: 'run-fast' };
    await tracker.chunkDone(run, 0);
    await tracker.chunkDone(run, 1);
    expect((await tracker.queued(run, 2)).complete).toBe(true);
  });

  it("sums the chunks' tallies once each, concurrent and redelivered chunks included, into the run totals", async () => {
    const run = { stage: 'test', job: 'overdue-lock', runId: 'run-totals' };
    const trackers = Array.from({ length: 4 }, () =>
      createDynamoRunTracker({
        client: new DynamoDBClient(local.clientConfig('dynamodb')),
        tableName: 'state',
      }),
    );
    const tally = (failed: number): { succeeded: number; failuresByCode: Record<string, number> } => ({
      succeeded: 10 - failed,
      failuresByCode: failed > 0 ? { LICENSE_IS_LACK: failed, DEVICE_NOT_FOUND: 1 } : {},
    });
    await trackers[0]?.queued(run, 3);
    // chunk 1 is delivered twice at once, chunk 0 again after it was done
    const answers = await Promise.all([
      trackers[0]?.chunkDone(run, 0, tally(4)),
      trackers[1]?.chunkDone(run, 1, tally(6)),
      trackers[2]?.chunkDone(run, 1, tally(6)),
    ]);
    await trackers[3]?.chunkDone(run, 0, tally(4));
    const last = await trackers[3]?.chunkDone(run, 2, tally(0));
    expect(answers.map((answer) => answer?.complete)).toEqual([false, false, false]);
    expect(last?.complete).toBe(true);
    expect(await trackers[0]?.totals(run)).toEqual({
      chunks: 3,
      done: 3,
      complete: true,
      succeeded: 6 + 4 + 10,
      failed: 4 + 1 + 6 + 1,
      failuresByCode: { LICENSE_IS_LACK: 10, DEVICE_NOT_FOUND: 2 },
    });
    expect(await trackers[0]?.totals({ ...run, runId: 'never-ran' })).toBeUndefined();
  });
});
