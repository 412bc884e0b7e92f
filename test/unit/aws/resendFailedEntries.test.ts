import { describe, expect, it } from 'vitest';
import { type BatchEntry, BatchEntryError, resendFailedEntries } from '../../../lib/aws';
import type { BatchResultErrorEntry } from '../../../lib/aws/BatchEntryError';

/** A batch call stand-in: `answer(call, ids)` names the failed entries, or throws for the whole call. */
function stubSend(answer: (call: number, ids: string[]) => BatchResultErrorEntry[] | Error) {
  const calls: string[][] = [];
  const send = async (entries: readonly BatchEntry<string>[]) => {
    calls.push(entries.map(({ value }) => value));
    const failed = answer(
      calls.length,
      entries.map(({ id }) => id),
    );
    if (failed instanceof Error) throw failed;
    return failed;
  };
  return { send, calls };
}

/** A clock that only moves when the resender sleeps. */
function fakeTime(start = 1_000_000) {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}

const transient = (id: string): BatchResultErrorEntry => ({
  Id: id,
  Code: 'InternalError',
  Message: 'try again',
  SenderFault: false,
});
const senderFault = (id: string): BatchResultErrorEntry => ({
  Id: id,
  Code: 'InvalidMessageContents',
  Message: 'bad character',
  SenderFault: true,
});
const awsError = (name: string, status: number | undefined, attempts?: number) =>
  Object.assign(new Error(name), {
    name,
    $metadata: {
      ...(status === undefined ? {} : { httpStatusCode: status }),
      ...(attempts ? { attempts } : {}),
    },
  });

describe('resendFailedEntries', () => {
  it('re-sends exactly the entries the answer lists as failed, keeping their Ids', async () => {
    // Prepare
    const ids: string[][] = [];
    const { send, calls } = stubSend((call, sentIds) => {
      ids.push(sentIds);
      return call === 1 ? [transient('1'), transient('3')] : call === 2 ? [transient('3')] : [];
    });
    const time = fakeTime();

    // Act
    const result = await resendFailedEntries(['a', 'b', 'c', 'd'], { send, ...time, random: () => 0.5 });

    // Assess
    expect(calls).toEqual([['a', 'b', 'c', 'd'], ['b', 'd'], ['d']]);
    expect(ids).toEqual([['0', '1', '2', '3'], ['1', '3'], ['3']]);
    expect(result).toMatchObject({ sent: ['a', 'b', 'c', 'd'], refused: [], unsent: [], attempts: 3 });
    // Full jitter at 0.5 below 200 ms, then 400 ms.
    expect(time.sleeps).toEqual([100, 200]);
  });

  it('never re-sends a SenderFault entry and reports it refused, with its code', async () => {
    const { send, calls } = stubSend((call) => (call === 1 ? [senderFault('0'), transient('2')] : []));
    const result = await resendFailedEntries(['bad', 'ok', 'flaky'], { send, ...fakeTime() });

    expect(calls).toEqual([['bad', 'ok', 'flaky'], ['flaky']]);
    expect(result.sent).toEqual(['ok', 'flaky']);
    expect(result.refused).toEqual(['bad']);
    expect(result.refusal).toBeInstanceOf(BatchEntryError);
    expect(result.refusal).toMatchObject({ code: 'InvalidMessageContents', senderFault: true, id: '0' });
  });

  it('stops after maxAttempts calls and returns what still failed, in input order', async () => {
    const { send, calls } = stubSend(() => [transient('2'), transient('0')]);
    const result = await resendFailedEntries(['a', 'b', 'c'], { send, ...fakeTime(), maxAttempts: 3 });

    expect(calls).toHaveLength(3);
    expect(result).toMatchObject({ sent: ['b'], refused: [], unsent: ['a', 'c'], attempts: 3 });
    expect(result.lastError).toMatchObject({ name: 'BatchEntryError', message: 'InternalError: try again' });
  });

  it('stops before a wait that would end past the deadline minus the margin', async () => {
    // Prepare: entries keep failing; 50 attempts allowed, 1 s of time with 300 ms kept free.
    const { send, calls } = stubSend(() => [transient('0')]);
    const time = fakeTime();
    const deadline = time.now() + 1_000;

    // Act
    const result = await resendFailedEntries(['a'], {
      send,
      ...time,
      random: () => 0.999,
      maxAttempts: 50,
      deadline,
      marginMs: 300,
    });

    // Assess: waits of 199 and 399 ms fit (598 < 700); the next, 799, would not.
    expect(time.sleeps).toEqual([199, 399]);
    expect(calls).toHaveLength(3);
    expect(time.now()).toBeLessThan(deadline - 300);
    expect(result.unsent).toEqual(['a']);
  });

  it('resends a transient whole-call failure the SDK did not retry, within the same budget', async () => {
    const throttled = awsError('Throttling', 400);
    const { send, calls } = stubSend((call) => (call === 1 ? throttled : []));
    const result = await resendFailedEntries(['a', 'b'], { send, ...fakeTime() });

    expect(calls).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
    expect(result).toMatchObject({ sent: ['a', 'b'], unsent: [], refused: [], lastError: throttled });
  });

  it('leaves a whole-call failure the SDK already retried to the SDK: unsent at once', async () => {
    const exhausted = awsError('InternalError', 500, 3);
    const { send, calls } = stubSend(() => exhausted);
    const result = await resendFailedEntries(['a', 'b'], { send, ...fakeTime() });

    expect(calls).toHaveLength(1);
    expect(result).toMatchObject({ sent: [], unsent: ['a', 'b'], refused: [], lastError: exhausted });
  });

  it('refuses every entry of a call that failed with a non-transient error, without resending', async () => {
    const denied = awsError('AuthorizationError', 403);
    const { send, calls } = stubSend(() => denied);
    const result = await resendFailedEntries(['a', 'b'], { send, ...fakeTime() });

    expect(calls).toHaveLength(1);
    expect(result).toMatchObject({ sent: [], unsent: [], refused: ['a', 'b'], refusal: denied, attempts: 1 });
  });

  it('makes the first call even with the deadline passed, and no second', async () => {
    const { send, calls } = stubSend(() => new Error('socket hang up'));
    const time = fakeTime();
    const result = await resendFailedEntries(['a'], { send, ...time, deadline: time.now() - 1 });

    expect(calls).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
    expect(result.unsent).toEqual(['a']);
  });

  it('treats an answer without a Failed list as every entry accepted', async () => {
    const result = await resendFailedEntries(['a'], { send: async () => undefined, ...fakeTime() });
    expect(result).toMatchObject({ sent: ['a'], attempts: 1, lastError: undefined });
  });
});
