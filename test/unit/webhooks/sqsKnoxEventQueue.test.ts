import type { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { KnoxEventQueueError } from '../../../lib/webhooks/KnoxEventQueue';
import { createSqsKnoxEventQueue } from '../../../lib/webhooks/sqsKnoxEventQueue';

type Input = { Entries: { Id: string; MessageBody: string }[] };

/** A SendMessageBatch stand-in: `answer(call, entries)` says which entry ids fail. */
function stubClient(answer: (call: number, input: Input) => string[] | Error) {
  const calls: Input[] = [];
  const client = {
    send: async (command: { input: Input }) => {
      calls.push(command.input);
      const failed = answer(calls.length, command.input);
      if (failed instanceof Error) throw failed;
      return {
        Successful: command.input.Entries.filter((e) => !failed.includes(e.Id)).map((e) => ({ Id: e.Id })),
        Failed: failed.map((Id) => ({ Id, Code: 'InternalError', SenderFault: false })),
      };
    },
  } as unknown as SQSClient;
  return { client, calls };
}

const noSleep = async () => {};

describe('createSqsKnoxEventQueue', () => {
  it('resends exactly the entries SQS reported as failed', async () => {
    const { client, calls } = stubClient((call) => (call === 1 ? ['1'] : []));
    const queue = createSqsKnoxEventQueue({ client, queueUrl: 'q', sleep: noSleep });

    await queue.send(['a', 'b', 'c']);

    expect(calls.map((c) => c.Entries.map((e) => e.MessageBody))).toEqual([['a', 'b', 'c'], ['b']]);
  });

  it('groups bodies by 10 entries and 256 KiB', async () => {
    const { client, calls } = stubClient(() => []);
    const big = 'x'.repeat(200_000);
    await createSqsKnoxEventQueue({ client, queueUrl: 'q', sleep: noSleep }).send([
      big,
      big,
      ...Array.from({ length: 12 }, () => 's'),
    ]);
    expect(calls.map((c) => c.Entries.length)).toEqual([1, 10, 3]);
  });

  it('rejects with the counts when an entry keeps failing, after maxAttempts, without sending later groups', async () => {
    const big = 'x'.repeat(200_000);
    const { client, calls } = stubClient((call) => (call >= 2 ? ['0'] : []));
    const queue = createSqsKnoxEventQueue({ client, queueUrl: 'q', sleep: noSleep, maxAttempts: 3 });

    const error = await queue.send([big, big, big]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(KnoxEventQueueError);
    expect(error).toMatchObject({ queued: 1, notQueued: 2 });
    expect(calls).toHaveLength(4); // group 1 once, group 2 three times, group 3 never
  });

  it('treats a thrown call as every entry failed, and stops at the deadline', async () => {
    const { client, calls } = stubClient(() => new Error('socket hang up'));
    const queue = createSqsKnoxEventQueue({
      client,
      queueUrl: 'q',
      sleep: noSleep,
      deadline: () => Date.now(),
    });

    await expect(queue.send(['a'])).rejects.toMatchObject({
      name: 'KnoxEventQueueError',
      queued: 0,
      notQueued: 1,
    });
    expect(calls).toHaveLength(1);
  });
});
