import { describe, expect, it } from 'vitest';
import { failureFromEnvelope, knoxCode } from '../../../lib/errors';
import {
  type ChunkMessage,
  ChunkMessageError,
  chunkKey,
  executeChunk,
  failuresByCode,
  observationOf,
  parseChunkMessage,
  planFollowUp,
} from '../../../lib/operations';
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
    expect(outcome.succeeded + outcome.failed.length).toBe(1000);
    expect(outcome.errors.map((e) => e.codeName).sort()).toEqual(['LICENSE_IS_LACK', 'TOO_MANY_REQUESTS']);
    expect(failuresByCode(outcome)).toEqual({ LICENSE_IS_LACK: 500, TOO_MANY_REQUESTS: 167 });
    // Small enough for one DynamoDB item (400 KB) as the idempotency record.
    expect(JSON.stringify(outcome).length).toBeLessThan(60_000);
    const observation = observationOf(message, outcome);
    expect(observation.failures).toHaveLength(667);
    expect(observation.failures[0]).toMatchObject({
      deviceId: message.deviceUids[0],
      error: { code: '4001809' },
    });
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
