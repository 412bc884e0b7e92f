import { describe, expect, it } from 'vitest';
import { groupFailures } from '../../../lib/alerts/groupFailures';
import type { RunObservation } from '../../../lib/alerts/types';
import { type DeviceResult, failureFromEnvelope } from '../../../lib/errors';
import { type ChunkMessage, executeChunk, observationOf } from '../../../lib/operations';

const observation = (failures: RunObservation['failures']): RunObservation => ({
  stage: 'prod',
  job: 'knox-webhook',
  runId: 'r1',
  operation: 'lock',
  contribution: 'event',
  successes: 0,
  failures,
});

const blocked = (reason: string, requestedId?: string) =>
  failureFromEnvelope(
    { code: '4030104', message: 'USER_BLOCKED_STATE', reason },
    403,
    requestedId === undefined ? {} : { requestedId },
  );

describe('groupFailures masks the ids a failure knows inside its reason', () => {
  it('masks the deviceId (a bare serial maskText cannot find), as the samples show it', () => {
    const group = groupFailures(
      observation([
        { deviceId: 'R58M123ABCD', error: blocked('Device R58M123ABCD cannot be locked: user blocked') },
      ]),
      5,
    ).get('USER_BLOCKED_STATE');
    expect(group?.failure.reason).toBe('Device R5*****ABCD cannot be locked: user blocked');
    expect(group?.samples).toEqual(['R5*****ABCD']);
    // The rest of the failure is the code's classification, unchanged.
    expect(group?.failure).toMatchObject({
      code: '4030104',
      codeName: 'USER_BLOCKED_STATE',
      httpStatus: 403,
    });
  });

  it('masks the requestedId, further knownIds (objectId, approveId) and any case of them', () => {
    const group = groupFailures(
      observation([
        {
          error: blocked('r58m123abcd (object obj-77812, approval INV-4711) refused', 'R58M123ABCD'),
          knownIds: ['obj-77812', 'INV-4711'],
        },
      ]),
      5,
    ).get('USER_BLOCKED_STATE');
    expect(group?.failure.reason).toBe('r5*****abcd (object ob***7812, approval IN**4711) refused');
  });

  it("masks a later failure's id in the reason the code keeps, and leaves short ids and words alone", () => {
    const group = groupFailures(
      observation([
        { deviceId: 'AB1', error: blocked('Devices AB1 and R58M999WXYZ refused') },
        { deviceId: 'R58M999WXYZ', error: blocked('other reason') },
      ]),
      5,
    ).get('USER_BLOCKED_STATE');
    expect(group?.failure.reason).toBe('Devices AB1 and R5*****WXYZ refused');
    expect(group?.count).toBe(2);
  });

  it("masks a chunk's bare serials in the one reason the chunk keeps per code (observationOf)", async () => {
    const serials = Array.from({ length: 40 }, (_, i) => `R58M${String(i).padStart(3, '0')}ABCD`);
    const message: ChunkMessage = {
      v: 1,
      stage: 'test',
      job: 'overdue-lock',
      runId: 'r1',
      operation: 'lock',
      params: { message: 'Pay', tel: '+4930123456' },
      chunk: 0,
      attempt: 0,
      deviceUids: serials,
    };
    const executor = {
      async execute(_operation: string, deviceUids: readonly string[]) {
        // Knox answers in its own order: the reason the chunk keeps names the LAST device, which
        // is beyond the chunk's 20 masked samples.
        const results: DeviceResult[] = [...deviceUids].reverse().map((requestedId) => ({
          ok: false,
          requestedId,
          error: failureFromEnvelope(
            { code: '4040300', message: 'DEVICE_NOT_FOUND', reason: `Device ${requestedId} not found.` },
            404,
            { requestedId },
          ),
        }));
        return { results };
      },
    };
    const outcome = await executeChunk(message, { executor });
    expect(outcome.errors[0]?.reason).toBe('Device R58M039ABCD not found.');
    const group = groupFailures(observationOf(message, outcome), 5).get('DEVICE_NOT_FOUND');
    expect(group?.failure.reason).toBe('Device R5*****ABCD not found.');
    expect(group?.count).toBe(40);
  });
});
