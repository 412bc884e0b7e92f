// Issue 13.9 at the Knox boundary: a chunk whose outcome was lost (the COMPLETED idempotency write
// failed, or the answer never arrived) runs again after SQS's 720 s visibility timeout; Knox then
// refuses every device with DEVICE_STATE_INVALID "Current status is 'Locked'.". Those are
// successes, not 10 false failures in the digest.
import { afterEach, describe, expect, it } from 'vitest';
import { type ChunkMessage, executeChunk, failuresByCode, planFollowUp } from '../../../lib/operations';
import { type KnoxTestBed, startKnoxTestBed } from '../../helpers/knoxTestKit';

let bed: KnoxTestBed | undefined;
afterEach(async () => {
  await bed?.sim.close();
  bed = undefined;
});

describe('a chunk run again after its outcome was lost', () => {
  it('reports the 10 devices Knox already locked as succeeded, and nothing to retry', async () => {
    // Prepare: 10 Enrolled devices, one lock chunk.
    bed = await startKnoxTestBed({ seed: 'empty' });
    const b = bed;
    const deviceUids = Array.from(
      { length: 10 },
      () => b.sim.state.addDevice({ status: 'Enrolled' }).deviceUid,
    );
    const message: ChunkMessage = {
      v: 1,
      stage: 'test',
      job: 'overdue-lock',
      runId: 'r1',
      operation: 'lock',
      params: { message: 'Your instalment is overdue.', tel: '+4930123456' },
      chunk: 0,
      attempt: 0,
      deviceUids,
    };
    const first = await executeChunk(message, { executor: b.client });
    expect(first).toMatchObject({ succeeded: 10, failed: 0 });

    // Act: the redelivered message (720 s later; the 120 s in-progress record has expired).
    b.clock.advance(720_000);
    const again = await executeChunk(message, { executor: b.client });

    // Assess
    expect(again.succeeded).toBe(10);
    expect(again.alreadyInTargetState).toBe(10);
    expect(failuresByCode(again)).toEqual({});
    expect(planFollowUp(message, again)).toEqual({ kind: 'done' });
    for (const id of deviceUids) expect(b.sim.state.devices.get(id)?.status).toBe('Locked');

    // An unlock of those devices then a second unlock: the second is "already unlocked".
    const unlock = { ...message, operation: 'unlock' as const, params: {} };
    expect(await executeChunk(unlock, { executor: b.client })).toMatchObject({ succeeded: 10, failed: 0 });
    const unlockAgain = await executeChunk(unlock, { executor: b.client });
    expect(unlockAgain).toMatchObject({ succeeded: 10, alreadyInTargetState: 10, failed: 0 });
  });
});
