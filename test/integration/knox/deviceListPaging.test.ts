// devices/list paging as the evidence leaves it (docs/knox-api-evidence.md, discrepancy 13): no
// documented maximum pageSize, so a refused size is asked once more smaller; `sortOrder` and the
// filters Ranalo sends (`simControlApplied`, `updateTimeFrom`) go out as given. Real HTTP to the
// strict simulator.
import { afterEach, describe, expect, it } from 'vitest';
import { KnoxGuardError } from '../../../lib/errors';
import type { KnoxDevice } from '../../../lib/knox/types';
import { type KnoxTestBed, startKnoxTestBed } from '../../helpers/knoxTestKit';

let bed: KnoxTestBed | undefined;
afterEach(async () => {
  await bed?.sim.close();
  bed = undefined;
});

const lists = (b: KnoxTestBed) => b.sim.requests.filter((r) => r.path.endsWith('/devices/list'));

describe('devices/list paging', () => {
  it('walks every device when Knox refuses the page size, at the smaller size from then on', async () => {
    bed = await startKnoxTestBed({ recordRequests: true });
    bed.sim.state.limits.maxPageSize = 100;

    const devices: KnoxDevice[] = [];
    for await (const device of bed.client.iterateDevices({}, { pageSize: 1000 })) devices.push(device);

    expect(devices).toHaveLength(300);
    expect(new Set(devices.map((d) => d.deviceUid)).size).toBe(300);
    expect(lists(bed).map((r) => [r.body.pageNum, r.body.pageSize])).toEqual([
      [0, 1000],
      [0, 100],
      [1, 100],
      [2, 100],
    ]);
  });

  it('reads the same devices at the smaller size and says so', async () => {
    bed = await startKnoxTestBed({ recordRequests: true });
    bed.sim.state.limits.maxPageSize = 100;

    const page = await bed.client.listDevices({ pageNum: 2, pageSize: 500 });

    expect(page).toMatchObject({ pageNum: 10, pageSize: 100 });
    expect(page.devices).toHaveLength(0); // offset 1000 is past the 300 devices
    const first = await bed.client.listDevices({ pageNum: 0, pageSize: 200 });
    expect(first).toMatchObject({ pageNum: 0, pageSize: 100 });
    expect(first.devices).toHaveLength(100);
  });

  it('asks only once: a second refusal is the error', async () => {
    bed = await startKnoxTestBed({ recordRequests: true });
    bed.sim.state.limits.maxPageSize = 10;

    const error = await bed.client.listDevices({ pageNum: 0, pageSize: 1000 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(KnoxGuardError);
    expect((error as KnoxGuardError).codeName).toBe('RESOURCE_INVALID_PARAM');
    expect(lists(bed)).toHaveLength(2);
  });

  it('sends sortOrder as given and the simControlApplied / updateTimeFrom filters', async () => {
    bed = await startKnoxTestBed({ recordRequests: true });

    await bed.client.listDevices({
      pageNum: 0,
      pageSize: 5,
      sortBy: 'updateTime',
      sortOrder: 'descending',
      simControlApplied: true,
      updateTimeFrom: '2026-11-01T00:00:00Z',
    });

    expect(lists(bed)[0]?.body).toEqual({
      pageNum: 0,
      pageSize: 5,
      sortBy: 'updateTime',
      sortOrder: 'descending',
      filter: { simControlApplied: true, updateTimeFrom: '2026-11-01T00:00:00Z' },
    });
  });
});
