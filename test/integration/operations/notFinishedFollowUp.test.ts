// Issue 13.9 at the Knox boundary: a sendMessage chunk whose transaction Knox has not finished when
// the invocation's deadline comes leaves its devices NOT_FINISHED. The follow-up attempt polls that
// transaction (handed on in the chunk message) instead of submitting again, so every device shows
// the message once, counted by the simulator's own ledger.
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ChunkMessage,
  executeChunk,
  exhaustedObservation,
  failuresByCode,
  parseChunkMessage,
  planFollowUp,
} from '../../../lib/operations';
import { ExecutionLedger } from '../../../local/simulator/ExecutionLedger';
import { type KnoxTestBed, startKnoxTestBed } from '../../helpers/knoxTestKit';

let bed: KnoxTestBed | undefined;
afterEach(async () => {
  await bed?.sim.close();
  bed = undefined;
});

/** 10 Enrolled devices, a simulator whose transactions answer no results for their first `emptyPolls` polls. */
async function prepare(emptyPolls: number): Promise<{ b: KnoxTestBed; message: ChunkMessage }> {
  bed = await startKnoxTestBed({ seed: 'empty', transactionEmptyPolls: emptyPolls, recordRequests: true });
  const b = bed;
  b.sim.state.ledger = new ExecutionLedger();
  const deviceUids = Array.from(
    { length: 10 },
    () => b.sim.state.addDevice({ status: 'Enrolled' }).deviceUid,
  );
  const message: ChunkMessage = {
    v: 1,
    stage: 'prod',
    job: 'payment-reminder',
    runId: 'run-1',
    operation: 'sendMessage',
    params: { message: 'Your payment is overdue. Call us.', tel: '+15550100' },
    chunk: 0,
    attempt: 0,
    deviceUids,
  };
  return { b, message };
}

/** One worker invocation: 5 s of Knox time (4 polls: at 0, 1, 2.5 and 4.75 s), then the follow-up plan. */
async function invoke(b: KnoxTestBed, message: ChunkMessage, maxAttempts = 4) {
  const outcome = await executeChunk(message, { executor: b.client, deadline: b.clock.now() + 5_000 });
  const next = planFollowUp(message, outcome, maxAttempts);
  // What SQS would carry to the next invocation.
  const carried =
    next.kind === 'retry' ? parseChunkMessage(JSON.stringify(next.followUp.message)) : undefined;
  return { outcome, next, carried };
}

const submits = (b: KnoxTestBed) =>
  b.sim.requests.filter((r) => r.path.endsWith('/devices/sendMessageAsync'));

describe('devices left NOT_FINISHED at the deadline', () => {
  it('shows each device the message exactly once: the follow-ups poll the first transaction', async () => {
    // Prepare: Knox reports nothing for the first 10 polls (two invocations' worth), then everything.
    const { b, message } = await prepare(10);

    // Act: attempt 0 submits and runs out of time; attempt 1 polls and runs out of time; attempt 2 polls and finishes.
    const first = await invoke(b, message);
    const second = await invoke(b, first.carried as ChunkMessage);
    const third = await invoke(b, second.carried as ChunkMessage);

    // Assert: one submit in all, every later request a poll of its transaction.
    const [submit, ...others] = submits(b);
    expect(others).toEqual([]);
    expect(first.outcome).toMatchObject({ requested: 10, succeeded: 0, failed: 10 });
    expect(failuresByCode(first.outcome)).toEqual({ NOT_FINISHED: 10 });
    expect(first.carried).toMatchObject({
      attempt: 1,
      deviceUids: message.deviceUids,
      transactionId: submit?.transactionId,
    });
    expect(second.outcome).toMatchObject({ attempt: 1, succeeded: 0, failed: 10 });
    expect(second.carried).toMatchObject({ attempt: 2, transactionId: submit?.transactionId });
    expect(third.outcome).toMatchObject({ attempt: 2, requested: 10, succeeded: 10, failed: 0, errors: [] });
    expect(third.outcome.unfinishedTransactionId).toBeUndefined();
    expect(third.next).toEqual({ kind: 'done' });
    const polls = b.sim.requests.filter((r) => r.path.endsWith('/transaction'));
    expect(polls).toHaveLength(11);
    for (const poll of polls) expect(poll.body).toEqual({ transactionId: submit?.transactionId });
    const ledger = b.sim.state.ledger?.summary('sendMessage', message.deviceUids);
    expect(ledger).toEqual({ expected: 10, executed: 10, duplicated: 0, missing: 0, attempts: 10 });
  });

  it('reports devices Knox never reports as NOT_FINISHED once the attempts are used up, never submitting again', async () => {
    // Prepare: a transaction that reports nothing for longer than the chunk's two attempts poll.
    const { b, message } = await prepare(100);

    // Act
    const first = await invoke(b, message, 2);
    const last = await invoke(b, first.carried as ChunkMessage, 2);

    // Assert
    expect(submits(b)).toHaveLength(1);
    expect(last.next).toEqual({ kind: 'exhausted', devices: message.deviceUids });
    expect(failuresByCode(last.outcome)).toEqual({ NOT_FINISHED: 10 });
    const alert = exhaustedObservation(first.carried as ChunkMessage, last.outcome, message.deviceUids);
    expect(alert.failures).toHaveLength(10);
    expect(alert.failures[0]?.error.reason).toContain('NOT_FINISHED x10');
    expect(alert.failures[0]?.error.reason).toContain('not submitted again');
    const ledger = b.sim.state.ledger?.summary('sendMessage', message.deviceUids);
    expect(ledger).toEqual({ expected: 10, executed: 10, duplicated: 0, missing: 0, attempts: 10 });
  });
});
