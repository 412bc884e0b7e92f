import { describe, expect, it } from 'vitest';
import { type DeviceResult, failureFromEnvelope, knoxCode, serviceFailure } from '../../../lib/errors';
import { lazyFailure } from '../../../lib/errors/decodeBulk';
import {
  type ChunkMessage,
  executeChunk,
  executionKey,
  exhaustedObservation,
  failuresByCode,
  observationOf,
  parseChunkMessage,
  planFollowUp,
  upgradeChunkOutcome,
} from '../../../lib/operations';
import { ChunkMessageError, chunkKey } from '../../../lib/operations/chunkMessage';
import {
  ChunkOutcomeMismatchError,
  failedDevices,
  OUTCOME_SAMPLES_PER_CODE,
} from '../../../lib/operations/executeChunk';
import type { OperationExecutor } from '../../../lib/operations/ports';
import { dynamoItemSize } from '../../helpers/itemSize';
import { fakeExecutor } from '../../helpers/operationsFakes';

const message: ChunkMessage = {
  v: 1,
  stage: 'test',
  job: 'overdue-lock',
  runId: 'r1',
  operation: 'lock',
  params: { message: 'Pay', tel: '+4930123456' },
  chunk: 2,
  attempt: 0,
  deviceUids: Array.from({ length: 1000 }, (_, i) => `35693803${String(i).padStart(7, '0')}`),
};

describe('executeChunk', () => {
  it('accounts for every device and stores each distinct failure once', async () => {
    const executor = fakeExecutor((id) =>
      Number(id.slice(-3)) % 2 === 0 ? 'LICENSE_IS_LACK' : Number(id.slice(-3)) % 3 === 0 ? 429 : 'OK',
    );
    const outcome = await executeChunk(message, { executor });
    expect(outcome.succeeded + outcome.failed).toBe(1000);
    expect(outcome.errors.map((e) => e.codeName).sort()).toEqual(['LICENSE_IS_LACK', 'TOO_MANY_REQUESTS']);
    expect(failuresByCode(outcome)).toEqual({ LICENSE_IS_LACK: 500, TOO_MANY_REQUESTS: 167 });
    // Small enough for one DynamoDB item (400 KB) as the idempotency record.
    expect(dynamoItemSize({ pk: chunkKey(message), data: JSON.stringify(outcome) })).toBeLessThan(40_000);
    const observation = observationOf(message, outcome);
    expect(observation.failures).toHaveLength(667);
    // Samples are masked ids; a device's own outcome stays readable through failedDevices.
    expect(observation.failures[0]).toMatchObject({
      deviceId: '35*********0000',
      error: { code: '4001809' },
    });
    expect(failedDevices(message, outcome)[0]).toMatchObject({
      deviceUid: message.deviceUids[0],
      error: { codeName: 'LICENSE_IS_LACK' },
    });
  });

  it('stays bounded when every device fails with its own reason (1,000 DEVICE_NOT_FOUND)', async () => {
    // Prepare: Knox Guard names the device in each reason, so no two failures are alike.
    const executor = {
      async execute(_operation: string, deviceUids: readonly string[]) {
        const results: DeviceResult[] = deviceUids.map((requestedId) => ({
          ok: false,
          requestedId,
          error: failureFromEnvelope(
            {
              code: '4040300',
              message: 'DEVICE_NOT_FOUND',
              reason: `Device ${requestedId} not found. ${'x'.repeat(400)}`,
            },
            404,
            { requestedId },
          ),
        }));
        return { results };
      },
    };

    // Act
    const outcome = await executeChunk(message, { executor });

    // Assess: one entry, every device counted, 20 masked samples, the reason truncated.
    expect(outcome.failed).toBe(1000);
    expect(outcome.errors).toHaveLength(1);
    expect(outcome.errors[0]).toMatchObject({ codeName: 'DEVICE_NOT_FOUND', count: 1000 });
    expect(outcome.errors[0]?.samples).toHaveLength(OUTCOME_SAMPLES_PER_CODE);
    expect(outcome.errors[0]?.samples.every((id) => id.includes('*'))).toBe(true);
    expect(outcome.errors[0]?.reason.length).toBeLessThanOrEqual(300);
    expect(dynamoItemSize({ pk: chunkKey(message), data: JSON.stringify(outcome) })).toBeLessThan(5_000);
    expect(observationOf(message, outcome).failures).toHaveLength(1000);
  });

  it('keeps a 10,000-device chunk of mixed failures under 40 KB, with every device accounted for', async () => {
    const big: ChunkMessage = {
      ...message,
      deviceUids: Array.from({ length: 10_000 }, (_, i) => `35693803${String(i).padStart(7, '0')}`),
    };
    const codes = ['OK', 'DEVICE_NOT_FOUND', 'DEVICE_STATE_INVALID', 'LICENSE_IS_LACK', 503] as const;
    const executor = fakeExecutor(
      (id) => codes[Number(id.slice(-4)) % codes.length] as (typeof codes)[number],
    );

    const outcome = await executeChunk(big, { executor });

    expect(dynamoItemSize({ pk: chunkKey(big), data: JSON.stringify(outcome) })).toBeLessThan(40_000);
    expect(failuresByCode(outcome)).toEqual({
      DEVICE_NOT_FOUND: 2000,
      DEVICE_STATE_INVALID: 2000,
      LICENSE_IS_LACK: 2000,
      SERVICE_UNAVAILABLE: 2000,
    });
    const failed = failedDevices(big, outcome);
    expect(failed).toHaveLength(8000);
    expect(failed[0]).toMatchObject({
      deviceUid: big.deviceUids[1],
      error: { codeName: 'DEVICE_NOT_FOUND' },
    });
    const next = planFollowUp(big, outcome);
    expect(next.kind === 'retry' && next.followUp.message.deviceUids).toEqual(
      big.deviceUids.filter((_, i) => i % 5 === 4),
    );
  });

  it('reads an idempotency record stored before outcomes were bounded as the current shape', async () => {
    // Prepare: the old shape, every failed device listed with an index into distinct failures.
    const current = await executeChunk(message, {
      executor: fakeExecutor((id) => (id.endsWith('1') ? 503 : id.endsWith('2') ? 'DEVICE_NOT_FOUND' : 'OK')),
    });
    const listed = failedDevices(message, current);
    const errors = current.errors.map(({ count: _count, samples: _samples, ...failure }) => failure);
    const legacy = {
      runId: message.runId,
      chunk: message.chunk,
      attempt: message.attempt,
      requested: 1000,
      succeeded: current.succeeded,
      errors,
      failed: listed.map(
        ({ deviceUid, error }) =>
          [deviceUid, errors.findIndex((e) => e.codeName === error.codeName)] as const,
      ),
    };

    // Act
    const upgraded = upgradeChunkOutcome(legacy, message);

    // Assess
    expect(upgraded).toEqual(current);
    expect(upgradeChunkOutcome(current, message)).toBe(current);
  });

  it('refuses a stored outcome for another device list', async () => {
    const outcome = await executeChunk(message, { executor: fakeExecutor(() => 503) });
    const changed = { ...message, deviceUids: [...message.deviceUids].reverse() };
    expect(() => planFollowUp(changed, outcome)).toThrow(ChunkOutcomeMismatchError);
  });

  it('plans follow-ups for retryable devices with growing delays, then gives up', async () => {
    const executor = fakeExecutor((id) => (id.endsWith('1') ? 503 : 'OK'));
    const outcome = await executeChunk(message, { executor });
    const first = planFollowUp(message, outcome);
    expect(first.kind).toBe('retry');
    if (first.kind !== 'retry') return;
    expect(first.followUp.delaySeconds).toBe(30);
    expect(first.followUp.message.attempt).toBe(1);
    expect(first.followUp.message.deviceUids).toHaveLength(100);
    expect(planFollowUp({ ...message, attempt: 2 }, outcome)).toMatchObject({
      kind: 'retry',
      followUp: { delaySeconds: 120 },
    });
    expect(planFollowUp({ ...message, attempt: 3 }, outcome)).toMatchObject({ kind: 'exhausted' });
    const clean = await executeChunk(message, { executor: fakeExecutor(() => 'OK') });
    expect(planFollowUp(message, clean)).toEqual({ kind: 'done' });
  });

  it('gives a redriven last attempt (its stored outcome replayed) one more attempt at once', async () => {
    // Prepare: the last attempt's stored outcome, 100 devices refused with 503.
    const last = { ...message, attempt: 3 };
    const outcome = await executeChunk(last, {
      executor: fakeExecutor((id) => (id.endsWith('1') ? 503 : 'OK')),
    });

    // Act
    const redriven = planFollowUp(last, outcome, 4, { replayed: true });
    const redelivered = planFollowUp(last, outcome, 4, { replayed: false });

    // Assess: a new attempt number (a new idempotency key) with just the refused devices.
    expect(redriven.kind === 'retry' && redriven.followUp).toEqual({
      message: { ...last, attempt: 4, deviceUids: last.deviceUids.filter((id) => id.endsWith('1')) },
      delaySeconds: 0,
    });
    expect(redelivered.kind).toBe('exhausted');
    expect(planFollowUp({ ...last, attempt: 4, deviceUids: last.deviceUids }, outcome, 4)).toMatchObject({
      kind: 'exhausted',
    });
  });
});

describe('executionKey', () => {
  it('is chunkKey for a first attempt and names the device list of a follow-up', () => {
    expect(executionKey(message)).toBe(chunkKey(message));
    const followUp = { ...message, attempt: 1, deviceUids: ['d2'] };
    expect(executionKey(followUp)).toMatch(/^chunk#r1#2#1#[0-9a-f]{16}$/);
    expect(executionKey({ ...followUp, deviceUids: ['d2'] })).toBe(executionKey(followUp));
    // Two follow-ups of one attempt with different devices (its chunk ran twice) are two executions.
    expect(executionKey({ ...followUp, deviceUids: ['d1', 'd2'] })).not.toBe(executionKey(followUp));
  });
});

describe('parseChunkMessage', () => {
  it('round-trips a message and keys it by run, chunk and attempt', () => {
    expect(parseChunkMessage(JSON.stringify(message))).toEqual(message);
    expect(chunkKey(message)).toBe('chunk#r1#2#0');
  });

  it.each([
    'not json',
    '{}',
    JSON.stringify({ ...message, operation: 'explode' }),
    JSON.stringify({ ...message, deviceUids: [] }),
  ])('rejects %s', (body) => {
    expect(() => parseChunkMessage(body)).toThrow(ChunkMessageError);
  });
});

describe('executeChunk: devices already in the target state', () => {
  it('counts a lock answered "Current status is \'Locked\'." as succeeded, other states as failed', async () => {
    const results = message.deviceUids.slice(0, 10).map((requestedId, index) => {
      const status = index < 8 ? 'Locked' : 'Completed';
      const error = failureFromEnvelope(
        {
          code: knoxCode('DEVICE_STATE_INVALID').code,
          message: 'DEVICE_STATE_INVALID',
          reason: `Current status is '${status}'.`,
        },
        400,
        { requestedId },
      );
      return { ok: false as const, requestedId, error };
    });
    const executor = { execute: async () => ({ results }) };
    const outcome = await executeChunk(
      { ...message, deviceUids: message.deviceUids.slice(0, 10) },
      { executor },
    );
    expect(outcome.succeeded).toBe(8);
    expect(outcome.alreadyInTargetState).toBe(8);
    expect(failuresByCode(outcome)).toEqual({ DEVICE_STATE_INVALID: 2 });
    // The same answers to a blink are failures: it has no target state.
    const blink = await executeChunk(
      { ...message, operation: 'blink', deviceUids: message.deviceUids.slice(0, 10) },
      { executor },
    );
    expect(blink.succeeded).toBe(0);
    expect(blink.alreadyInTargetState).toBeUndefined();
  });
});

describe('devices left NOT_FINISHED (issue 13.9: no device operated twice)', () => {
  const small: ChunkMessage = { ...message, operation: 'sendMessage', deviceUids: ['d0', 'd1', 'd2', 'd3'] };
  /** An executor whose transaction `TX-1` reports d0 and d1; d2 and d3 are NOT_FINISHED. */
  function unfinishedExecutor() {
    const calls: { deviceUids: readonly string[]; options: unknown }[] = [];
    const executor: OperationExecutor = {
      async execute(_operation, deviceUids, _params, options) {
        calls.push({ deviceUids, options });
        const results: DeviceResult[] = deviceUids.map((requestedId) =>
          requestedId === 'd0' || requestedId === 'd1'
            ? { ok: true, requestedId }
            : lazyFailure(requestedId, {
                ...serviceFailure('NOT_FINISHED', 'Transaction TX-1 had no result.'),
                requestedId,
              }),
        );
        return { results, unfinishedTransactions: ['TX-1'] };
      },
    };
    return { executor, calls };
  }

  /** `unfinishedExecutor`'s results, with the given transactions reported as unfinished. */
  function withTransactions(ids: string[]): OperationExecutor {
    return {
      async execute(operation, deviceUids, params, options) {
        const { results } = await unfinishedExecutor().executor.execute(
          operation,
          deviceUids,
          params,
          options,
        );
        return { results, unfinishedTransactions: ids };
      },
    };
  }

  it('carries the transaction handle of NOT_FINISHED devices into the follow-up, which polls it', async () => {
    const { executor, calls } = unfinishedExecutor();
    const outcome = await executeChunk(small, { executor, deadline: 1_000 });
    expect(calls[0]?.options).toEqual({ deadline: 1_000 });
    expect(outcome).toMatchObject({ succeeded: 2, failed: 2, unfinishedTransactionId: 'TX-1' });

    const next = planFollowUp(small, outcome);
    expect(next).toMatchObject({
      kind: 'retry',
      followUp: { message: { attempt: 1, deviceUids: ['d2', 'd3'], transactionId: 'TX-1' } },
    });
    if (next.kind !== 'retry') return;
    // The follow-up survives the queue and asks the executor to resume, not to submit.
    const delivered = parseChunkMessage(JSON.stringify(next.followUp.message));
    await executeChunk(delivered, { executor, deadline: 2_000 });
    expect(calls[1]).toEqual({
      deviceUids: ['d2', 'd3'],
      options: { deadline: 2_000, resume: { transactionId: 'TX-1' } },
    });
  });

  it('drops the handle once no device is left NOT_FINISHED', async () => {
    const resumed = { ...small, attempt: 1, transactionId: 'TX-1' };
    const outcome = await executeChunk(resumed, {
      executor: fakeExecutor((id) => (id === 'd3' ? 503 : 'OK')),
    });
    expect(outcome.unfinishedTransactionId).toBeUndefined();
    const next = planFollowUp(resumed, outcome);
    expect(next.kind === 'retry' && next.followUp.message).toEqual({
      ...small,
      attempt: 2,
      deviceUids: ['d3'],
    });
  });

  it('reports devices still NOT_FINISHED after the last attempt as not submitted again', async () => {
    const last = { ...small, attempt: 3, transactionId: 'TX-1' };
    const outcome = await executeChunk(last, unfinishedExecutor());
    const next = planFollowUp(last, outcome);
    expect(next).toEqual({ kind: 'exhausted', devices: ['d2', 'd3'] });
    const alert = exhaustedObservation(last, outcome, ['d2', 'd3']);
    expect(alert.failures).toHaveLength(2);
    expect(alert.failures[0]?.error.reason).toContain('NOT_FINISHED x2');
    expect(alert.failures[0]?.error.reason).toContain('transaction TX-1');
    expect(alert.failures[0]?.error.reason).toContain('not submitted again');
  });

  it('carries no handle too long for a chunk message (the follow-up would be refused)', async () => {
    const long = 'T'.repeat(257);
    const outcome = await executeChunk(small, { executor: withTransactions([long]) });
    expect(outcome.unfinishedTransactionId).toBeUndefined();
    expect(() => parseChunkMessage(JSON.stringify({ ...small, transactionId: long }))).toThrow(
      ChunkMessageError,
    );
  });

  it('carries no handle when devices wait in two transactions (a split chunk): the follow-up submits', async () => {
    const outcome = await executeChunk(small, { executor: withTransactions(['TX-1', 'TX-2']) });
    expect(outcome.unfinishedTransactionId).toBeUndefined();
  });

  it('carries no handle when a retryable device is not NOT_FINISHED (a 503): polling alone would never submit it', async () => {
    const unavailable = fakeExecutor((id) => (id === 'd3' ? 503 : 'OK'));
    const executor: OperationExecutor = {
      async execute(operation, deviceUids, params, options) {
        const waiting = await unfinishedExecutor().executor.execute(operation, deviceUids, params, options);
        const refused = await unavailable.execute(operation, deviceUids, params, options);
        return {
          results: waiting.results.map((result) =>
            result.requestedId === 'd3'
              ? (refused.results.find((r) => r.requestedId === 'd3') ?? result)
              : result,
          ),
          unfinishedTransactions: ['TX-1'],
        };
      },
    };
    const outcome = await executeChunk(small, { executor });
    expect(outcome).toMatchObject({ succeeded: 2, failed: 2 });
    expect(outcome.unfinishedTransactionId).toBeUndefined();
    const next = planFollowUp(small, outcome);
    expect(next.kind === 'retry' && next.followUp.message).toEqual({
      ...small,
      attempt: 1,
      deviceUids: ['d2', 'd3'],
    });
  });

  it('still reads chunk messages without a transactionId', () => {
    const { transactionId: _none, ...old } = { ...small, transactionId: undefined };
    expect(parseChunkMessage(JSON.stringify(old)).transactionId).toBeUndefined();
    expect(() => parseChunkMessage(JSON.stringify({ ...small, transactionId: '' }))).toThrow(
      ChunkMessageError,
    );
  });
});
