import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceResult } from '../../../lib/errors';
import type { DeviceOperation, OperationParams } from '../../../lib/knox';
import { type KnoxTestBed, startKnoxTestBed } from '../../helpers/knoxTestKit';

let bed: KnoxTestBed | undefined;
afterEach(async () => {
  await bed?.sim.close();
  bed = undefined;
});
async function start(...args: Parameters<typeof startKnoxTestBed>): Promise<KnoxTestBed> {
  bed = await startKnoxTestBed(...args);
  return bed;
}

const lockParams = { message: 'Your payment is overdue. Call us.', tel: '+15550100' };
const codes = (results: DeviceResult[]) => results.map((r) => (r.ok ? 'ok' : r.error.codeName));
const tokenRequests = (b: KnoxTestBed) => b.sim.stats.byPath['/ams/v1/users/accesstoken'] ?? 0;

describe('operations against the simulator', () => {
  const cases: [DeviceOperation, string, OperationParams, string][] = [
    ['approve', 'Pending', {}, 'Accepted'],
    ['accept', 'Pending', {}, 'Accepted'],
    ['reject', 'Pending', {}, 'Rejected'],
    ['lock', 'Enrolled', lockParams, 'Locked'],
    ['unlock', 'Locked', {}, 'Enrolled'],
    ['blink', 'Enrolled', { message: 'Payment due Friday', email: 'pay@acme.example' }, 'Enrolled'],
    ['sendMessage', 'Locked', { message: 'We received your payment' }, 'Locked'],
    ['complete', 'Enrolled', {}, 'Completing'],
    ['cancelComplete', 'Completing', {}, 'Enrolled'],
  ];

  it.each(cases)(
    '%s moves a %s device (single sync call and bulk) with %j to %s',
    async (operation, from, params, to) => {
      const b = await start({ seed: 'empty' });
      b.sim.state.licenses.push({
        licenseKey: 'L1',
        name: 'L',
        type: 'COMMERCIAL',
        totalSeats: 100,
        usedSeats: 0,
        expiresAt: '',
        deleted: false,
      });
      const [one, two, three] = [1, 2, 3].map(
        () => b.sim.state.addDevice({ status: from as never }).deviceUid,
      ) as [string, string, string];

      const single = await b.client.execute(operation, [one], params);
      const bulk = await b.client.execute(operation, [two, three], params);

      expect(single).toEqual({
        operation,
        results: [{ ok: true, requestedId: one, objectId: expect.any(String) }],
      });
      expect(codes(bulk.results)).toEqual(['ok', 'ok']);
      for (const id of [one, two, three]) expect(b.sim.state.device(id)?.status).toBe(to);
      // accept has no source: it sends approve. cancelComplete has no async path: bulk runs per device.
      const sent = operation === 'accept' ? 'approve' : operation;
      const perDevice = operation === 'cancelComplete';
      expect(b.sim.stats.byPath[`/kcs/v1.1/kg/devices/${sent}`]).toBe(perDevice ? 3 : 1);
      expect(b.sim.stats.byPath[`/kcs/v1.1/kg/devices/${sent}Async`]).toBe(perDevice ? undefined : 1);
      expect(b.sim.stats.byPath[`/kcs/v1.1/kg/devices/${operation}Async`] ?? 0).toBe(
        perDevice ? 0 : 1 - Number(operation === 'accept'),
      );
    },
  );

  it('delete removes a Completed device', async () => {
    const b = await start({ seed: 'empty' });
    const id = b.sim.state.addDevice({ status: 'Completed' }).deviceUid;
    expect(codes((await b.client.execute('delete', [id])).results)).toEqual(['ok']);
    expect(b.sim.state.device(id)).toBeUndefined();
  });

  it('reports DEVICE_STATE_INVALID with the current status, per device, in request order', async () => {
    const b = await start({ seed: 'empty' });
    const enrolled = b.sim.state.addDevice({ status: 'Enrolled' }).deviceUid;
    const completed = b.sim.state.addDevice({ status: 'Completed' }).deviceUid;
    const outcome = await b.client.execute('lock', [completed, enrolled, 'unknown-1', completed], lockParams);
    expect(codes(outcome.results)).toEqual([
      'DEVICE_STATE_INVALID',
      'ok',
      'DEVICE_NOT_FOUND',
      'DEVICE_STATE_INVALID',
    ]);
    const first = outcome.results[0];
    expect(first?.ok === false && first.error.reason).toBe("Current status is 'Completed'.");
    expect(first?.ok === false && first.error.requestedId).toBe(completed);
    expect(outcome.results.map((r) => r.requestedId)).toEqual([completed, enrolled, 'unknown-1', completed]);
  });

  it('lists, streams and reads devices', async () => {
    const b = await start({ seed: { devices: 2500 } });
    const page = await b.client.listDevices({ pageNum: 1, pageSize: 100, status: ['Locked'] });
    const expectedLocked = [...b.sim.state.devices.scan({ status: ['Locked'] })].map((d) => d.deviceUid);
    expect(page.totalCount).toBe(expectedLocked.length);
    expect(page.devices.map((d) => d.deviceUid)).toEqual(expectedLocked.slice(100, 200));

    const streamed: string[] = [];
    for await (const device of b.client.iterateDevices({}, { pageSize: 300 }))
      streamed.push(device.deviceUid);
    expect(streamed).toHaveLength(2500);
    expect(new Set(streamed).size).toBe(2500);
    expect(b.sim.stats.byPath['/kcs/v1.1/kg/devices/list']).toBe(1 + 9);

    const device = await b.client.getDevice(expectedLocked[3] as string);
    expect(device).toMatchObject({ deviceUid: expectedLocked[3], status: 'Locked' });
    await expect(b.client.getDevice('999999999999999')).rejects.toMatchObject({
      codeName: 'DEVICE_NOT_FOUND',
    });
  });

  it('lists licences (only when opted in to the unverified licence paths) and reads who am I', async () => {
    const refused = await start();
    await expect(refused.client.listLicenses()).rejects.toMatchObject({ name: 'KnoxUnverifiedApiError' });
    expect(refused.sim.stats.byPath['/kcs/v1.1/kg/licenses/list']).toBeUndefined();
    await refused.sim.close();
    const b = await start({ unverifiedPaths: true }, { unverifiedLicenceApi: true });
    const licenses = await b.client.listLicenses();
    expect(licenses).toEqual([
      expect.objectContaining({ licenseKey: 'KGL-COMMERCIAL-0001', type: 'COMMERCIAL' }),
    ]);
    expect((licenses[0]?.totalSeats ?? 0) - (licenses[0]?.usedSeats ?? 0)).toBe(3);
    await expect(b.client.whoAmI()).resolves.toMatchObject({ user: { companyName: 'Acme Device Finance' } });
  });

  it('polls a transaction whose results appear over several polls, with a growing wait', async () => {
    const b = await start({ seed: 'empty' });
    b.sim.state.limits.transactionPolls = 3;
    const ids = [1, 2, 3].map(() => b.sim.state.addDevice({ status: 'Locked' }).deviceUid);
    expect(codes((await b.client.execute('unlock', ids)).results)).toEqual(['ok', 'ok', 'ok']);
    expect(b.sim.stats.byPath['/kcs/v1.1/kg/transaction']).toBe(3);
    expect(b.clock.sleeps).toEqual([1000, 1500]);
  });
});

describe('answers as they arrive over HTTP', () => {
  it('reads token, list and operation answers that start with a UTF-8 BOM as the successes they are', async () => {
    // Prepare: every answer of the first five requests gets EF BB BF in front of its JSON
    const b = await start({ seed: 'empty' });
    const id = b.sim.state.addDevice({ status: 'Enrolled' }).deviceUid;
    b.sim.faults.push({ bom: true, times: 5 });

    // Act
    const page = await b.client.listDevices({ pageNum: 0, pageSize: 10 });
    const locked = await b.client.execute('lock', [id], lockParams);

    // Assess: no retry, no failure, each request sent once
    expect(page.devices.map((d) => d.deviceUid)).toEqual([id]);
    expect(codes(locked.results)).toEqual(['ok']);
    expect(b.sim.state.device(id)?.status).toBe('Locked');
    expect(b.sim.stats.total).toBe(3);
    expect(b.sim.faults).toHaveLength(1); // two of the five BOM answers left unused
    expect(b.clock.sleeps).toEqual([]);
  });
});

describe('tokens', () => {
  it('issues one token and reuses it across calls', async () => {
    const b = await start();
    await b.client.whoAmI();
    await b.client.listDevices({ pageNum: 0, pageSize: 1 });
    expect(tokenRequests(b)).toBe(1);
  });

  it('renews the token before it expires by the injected clock', async () => {
    const b = await start();
    await b.client.whoAmI();
    b.clock.advance(26 * 60_000);
    await b.client.whoAmI();
    expect(tokenRequests(b)).toBe(2);
  });

  it('renews once on a 401 mid-job and finishes the job', async () => {
    const b = await start({ seed: 'empty' });
    b.sim.state.limits.transactionPolls = 2;
    let revoked = false;
    // Knox drops our token while the client waits for the first transaction: the next poll gets a 401.
    const client = b.makeClient({
      concurrency: 1,
      bulkLimit: 2,
      sleep: async (ms) => {
        if (!revoked) b.sim.state.revokeAccessTokens();
        revoked = true;
        await b.clock.sleep(ms);
      },
    });
    const ids = [1, 2, 3, 4].map(() => b.sim.state.addDevice({ status: 'Enrolled' }).deviceUid);
    const outcome = await client.execute('lock', ids, lockParams);
    expect(codes(outcome.results)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(tokenRequests(b)).toBe(2);
    expect(b.sim.stats.byStatus['401']).toBe(1);
  });

  it('surfaces AUTHORIZATION_FAIL when the renewed token is refused too', async () => {
    const b = await start();
    await b.client.whoAmI();
    b.sim.state.primaryKey.revoked = true;
    b.sim.state.revokeAccessTokens();
    await expect(b.client.whoAmI()).rejects.toMatchObject({
      codeName: 'AUTHORIZATION_FAIL',
      httpStatus: 401,
    });
  });

  it('gets a fresh jti accepted after the simulator saw the old one (no reuse)', async () => {
    const b = await start();
    await b.client.whoAmI();
    const second = b.makeClient();
    await second.whoAmI();
    expect(b.sim.state.usedJtis.size).toBe(2);
  });
});

describe('retries', () => {
  it('rides out a 429 storm with Retry-After', async () => {
    const b = await start();
    b.sim.faults.push({ path: 'authorization', times: 3, status: 429, headers: { 'retry-after': '2' } });
    await expect(b.client.whoAmI()).resolves.toMatchObject({ result: 'SUCCESS' });
    expect(b.clock.sleeps).toEqual([2000, 2000, 2000]);
  });

  it('backs off with full jitter on 429 without Retry-After (rate limit of the simulator)', async () => {
    const b = await start({ rateLimitPerSecond: 2, retryAfterSeconds: null });
    await b.client.whoAmI(); // token request + call: the second-long window is full
    await expect(b.client.whoAmI()).resolves.toMatchObject({ result: 'SUCCESS' });
    expect(b.sim.stats.byStatus['429']).toBeGreaterThanOrEqual(1);
    expect(b.clock.sleeps[0]).toBe(100); // 0.5 * base 200 * 2^0
  });

  it('retries 5xx, HTML 502 pages, truncated JSON and connection resets', async () => {
    const b = await start();
    b.sim.faults.push(
      { path: 'devices/list', status: 503, body: '' },
      {
        path: 'devices/list',
        status: 502,
        body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
        headers: { 'content-type': 'text/html' },
      },
      { path: 'devices/list', truncate: true },
      { path: 'devices/list', reset: true },
    );
    const page = await b.client.listDevices({ pageNum: 0, pageSize: 5 });
    expect(page.devices).toHaveLength(5);
    expect(b.sim.stats.byPath['/kcs/v1.1/kg/devices/list']).toBe(5);
    expect(b.clock.sleeps).toHaveLength(4);
  });

  it('retries a request that timed out', async () => {
    const b = await start({}, { requestTimeoutMs: 50 });
    b.sim.faults.push({ path: 'authorization', delayMs: 300 });
    await expect(b.client.whoAmI()).resolves.toMatchObject({ result: 'SUCCESS' });
    expect(b.sim.stats.byPath['/kcs/v1.1/kg/authorization']).toBe(2);
  });

  it('stops at the deadline and gives every device of the chunk the last error', async () => {
    const b = await start({ seed: 'empty' });
    const ids = [1, 2, 3].map(() => b.sim.state.addDevice({ status: 'Enrolled' }).deviceUid);
    b.sim.faults.push({ path: 'lockAsync', times: 100, status: 503 });
    const outcome = await b.client.execute('lock', ids, lockParams, { deadline: b.clock.now() + 1000 });
    expect(outcome.results).toHaveLength(3);
    for (const [index, result] of outcome.results.entries()) {
      expect(result.ok).toBe(false);
      if (!result.ok)
        expect(result.error).toMatchObject({ httpStatus: 503, retryable: true, requestedId: ids[index] });
    }
    expect(b.clock.sleeps.reduce((a, c) => a + c, 0)).toBeLessThan(1000);
    expect(b.sim.stats.byPath['/kcs/v1.1/kg/devices/lockAsync']).toBeLessThan(100);
    for (const id of ids) expect(b.sim.state.device(id)?.status).toBe('Enrolled');
  });
});

describe('bulk', () => {
  it('splits into chunks of the bulk limit with bounded concurrency', async () => {
    const b = await start({ seed: 'empty' }, { bulkLimit: 4, concurrency: 2 });
    const ids = Array.from({ length: 10 }, () => b.sim.state.addDevice({ status: 'Enrolled' }).deviceUid);
    const outcome = await b.client.execute('lock', ids, lockParams);
    expect(codes(outcome.results)).toEqual(Array(10).fill('ok'));
    expect(b.sim.stats.byPath['/kcs/v1.1/kg/devices/lockAsync']).toBe(3);
  });

  it('halves a chunk Knox refuses as too large and keeps the lower limit', async () => {
    const b = await start({ seed: 'empty', bulkLimit: 3 }, { bulkLimit: 8, concurrency: 1 });
    const ids = Array.from({ length: 16 }, () => b.sim.state.addDevice({ status: 'Enrolled' }).deviceUid);
    const outcome = await b.client.execute('lock', ids, lockParams);
    expect(codes(outcome.results)).toEqual(Array(16).fill('ok'));
    // 8 refused (limit learned: 4), 4 refused (learned: 2); every later chunk is split before sending.
    expect(b.sim.stats.byStatus['400']).toBe(2);
    expect(b.sim.stats.byPath['/kcs/v1.1/kg/devices/lockAsync']).toBe(2 + 8);
    for (const id of ids) expect(b.sim.state.device(id)?.status).toBe('Locked');
  });

  it('decodes a partial failure inside one bulk answer', async () => {
    const b = await start({ seed: 'empty' });
    b.sim.state.licenses.push({
      licenseKey: 'L1',
      name: 'L',
      type: 'COMMERCIAL',
      totalSeats: 2,
      usedSeats: 0,
      expiresAt: '',
      deleted: false,
    });
    const ids = [1, 2, 3].map(() => b.sim.state.addDevice({ status: 'Pending' }).deviceUid);
    const outcome = await b.client.execute('approve', ids);
    expect(codes(outcome.results)).toEqual(['ok', 'ok', 'LICENSE_IS_LACK']);
    expect(b.sim.stats.byPath['/kcs/v1.1/kg/devices/approveAsync']).toBe(1);
  });

  it('sends each duplicate id once and answers every position', async () => {
    const b = await start({ seed: 'empty' });
    const id = b.sim.state.addDevice({ status: 'Locked' }).deviceUid;
    const other = b.sim.state.addDevice({ status: 'Locked' }).deviceUid;
    const outcome = await b.client.execute('unlock', [id, other, id]);
    expect(codes(outcome.results)).toEqual(['ok', 'ok', 'ok']);
  });
});
