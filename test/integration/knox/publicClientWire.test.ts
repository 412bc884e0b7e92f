// The nine differences found by replaying five public Knox Guard clients' requests against the
// simulator (docs/knox-api-evidence.md, last section): each client's wire format is sent over
// real HTTP with a real signed token, and accepted or refused as the evidence says.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { decode } from '../../../lib/errors';
import { nodeHttpTransport, parseCertificate } from '../../../lib/knox';
import { KnoxTokenProvider } from '../../../lib/knox/KnoxTokenProvider';
import { type KnoxSimulator, type KnoxSimulatorOptions, startKnoxSimulator } from '../../../local/simulator';

let sim: KnoxSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** A simulator and a raw sender: method, path under the prefix, body, optional x-knox-transactionId. */
async function wire(options: KnoxSimulatorOptions = {}) {
  sim = await startKnoxSimulator({ seed: 'empty', ...options });
  const s = sim;
  const transport = nodeHttpTransport();
  const tokens = new KnoxTokenProvider({
    credentials: parseCertificate(s.certificate),
    clientIdentifier: s.clientIdentifier,
    clock: { now: () => Date.now() },
    issue: async (sign) => {
      const body = sign();
      const response = await transport.send({
        method: 'POST',
        url: `${s.url}${s.paths.accessToken}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        timeoutMs: 5000,
      });
      return JSON.parse(response.body);
    },
  });
  const prefix = options.apiPrefix ?? '/kcs/v1.1/kg';
  return async (
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body?: unknown,
    transactionId: string = randomUUID(),
  ) => {
    const response = await transport.send({
      method,
      url: `${s.url}${prefix}${path}`,
      headers: {
        'content-type': 'application/json',
        'x-knox-apitoken': await tokens.apiToken(),
        'x-knox-transactionId': transactionId,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      timeoutMs: 5000,
    });
    return { status: response.status, body: JSON.parse(response.body || '{}'), ok: decode(response).ok };
  };
}

describe('public Knox Guard clients on the wire', () => {
  it('1. bulk id list: PyKnox sends an array under deviceUid (accepted); deviceUidList is refused', async () => {
    const send = await wire();
    const s = sim as KnoxSimulator;
    const ids = [1, 2].map(() => s.state.addDevice({ status: 'Enrolled' }).deviceUid);
    const pyknox = await send('POST', '/devices/lockAsync', {
      deviceUid: ids,
      message: 'Pay',
      tel: '+15550100',
    });
    expect(pyknox.status).toBe(200);
    const old = await send('POST', '/devices/unlockAsync', { deviceUidList: ids });
    expect(old.status).toBe(400);
    expect(old.body.error).toMatchObject({ message: 'RESOURCE_INVALID_PARAM' });
  });

  it('2. transactions are keyed by x-knox-transactionId; answers carry no invented transactionId or status', async () => {
    const send = await wire();
    const s = sim as KnoxSimulator;
    const ids = [1, 2].map(() => s.state.addDevice({ status: 'Locked' }).deviceUid);
    const handle = `PYKNOX-${Date.now()}`;
    const submitted = await send('POST', '/devices/unlockAsync', { deviceUid: ids }, handle);
    expect(submitted.body).toEqual({ result: 'SUCCESS' });
    const polled = await send('POST', '/transaction', {}, handle);
    expect(polled.body).toMatchObject({ count: 2, success: 2, fail: 0 });
    expect(polled.body).not.toHaveProperty('status');
    expect(polled.body).not.toHaveProperty('transactionId');
  });

  it('3. identifiers: objectId-only and approveId-only bodies are accepted; approve keeps the client approveId', async () => {
    const send = await wire();
    const s = sim as KnoxSimulator;
    const byObject = s.state.addDevice({ status: 'Enrolled' });
    const byApprove = s.state.addDevice({ status: 'Enrolled', approveId: 'INV-2026-0042' });
    expect(
      (await send('POST', '/devices/lock', { objectId: byObject.objectId, message: 'Pay', tel: '+15550100' }))
        .status,
    ).toBe(200);
    expect(
      (await send('POST', '/devices/lock', { approveId: 'INV-2026-0042', message: 'Pay', tel: '+15550100' }))
        .status,
    ).toBe(200);
    expect(s.state.device(byObject.deviceUid)?.status).toBe('Locked');
    expect(s.state.device(byApprove.deviceUid)?.status).toBe('Locked');
    s.state.licenses.push({
      licenseKey: 'L1',
      name: 'L',
      type: 'COMMERCIAL',
      totalSeats: 5,
      usedSeats: 0,
      expiresAt: '',
      deleted: false,
    });
    const pending = s.state.addDevice({ status: 'Pending' });
    const approved = await send('POST', '/devices/approve', {
      deviceUid: pending.deviceUid,
      approveId: 'INV-7',
      approveComment: 'paid deposit',
    });
    expect(approved.status).toBe(200);
    expect(s.state.device(pending.deviceUid)?.approveId).toBe('INV-7');
  });

  it('4. device entries carry the real fields and none of the invented ones; serials work as deviceUid', async () => {
    const send = await wire();
    const s = sim as KnoxSimulator;
    s.state.addDevice({ status: 'Enrolled', deviceUid: '356938035643809' });
    s.state.addDevice({ status: 'Enrolled', deviceUid: 'R58N12ABCDE' });
    const listed = await send('POST', '/devices/list', { pageNum: 0, pageSize: 10 });
    const [entry] = listed.body.deviceList;
    for (const field of [
      'imei',
      'serial',
      'createDate',
      'modifiedDate',
      'lastSeen',
      'isOfflineLocked',
      'agentVersion',
      'firmwareVersion',
      'licenseExpiryDate',
    ])
      expect(entry).toHaveProperty(field);
    for (const field of ['licenseKey', 'message', 'blinking']) expect(entry).not.toHaveProperty(field);
    expect(
      (await send('POST', '/devices/lock', { deviceUid: 'R58N12ABCDE', message: 'Pay', tel: '+15550100' }))
        .status,
    ).toBe(200);
  });

  it('5. methods are checked: POST /authorization and PUT /devices/lock are refused with a Knox-style error', async () => {
    const send = await wire();
    for (const [method, path] of [
      ['POST', '/authorization'],
      ['PUT', '/devices/lock'],
    ] as const) {
      const answer = await send(method, path, {});
      expect(answer.status).toBe(405);
      expect(answer.body).toMatchObject({ result: 'FAIL', error: { message: 'METHOD_NOT_ALLOWED' } });
    }
  });

  it('6. paths: unsourced ones are not served, the ones real clients call are (uploads, GET device, getPin, offline PIN, kg-integration)', async () => {
    const send = await wire({ apiPrefix: '/kcs/v1.1/kg-integration' });
    const s = sim as KnoxSimulator;
    for (const path of ['/devices/accept', '/devices/cancelCompleteAsync', '/licenses/register'])
      expect((await send('POST', path, {})).status).toBe(404);
    expect((await send('GET', '/licenses/list')).status).toBe(404);
    const blinkWithout = await send('POST', '/devices/blink', {
      deviceUid: 'x',
      message: 'Pay',
      tel: '+15550100',
    });
    expect(blinkWithout.body.error?.reason).toBe('interval is required.');
    const uploaded = await send('POST', '/devices/uploads', {
      deviceList: [{ deviceUid: '356938035643817' }],
      autoAccept: false,
    });
    expect(uploaded.body).toMatchObject({ result: 'SUCCESS', totalDeviceCount: 1, validDeviceCount: 1 });
    expect((await send('GET', '/devices/uploads')).status).toBe(200);
    expect((await send('GET', '/devices/356938035643817')).body).toMatchObject({
      device: { status: 'Pending' },
    });
    const locked = s.state.addDevice({ status: 'Locked' });
    expect((await send('POST', '/devices/getPin', { deviceUid: locked.deviceUid })).body.lockPin).toMatch(
      /^\d{6}$/,
    );
    const pin = await send('POST', '/devices/offlineDeviceLockPin', {
      deviceUid: locked.deviceUid,
      challenge: '1234',
    });
    expect(pin.body.pinNumber).toHaveLength(1);
  });

  it('7. complete only from Enrolled, not Locked; cancelComplete reverts to Enrolled', async () => {
    const send = await wire();
    const s = sim as KnoxSimulator;
    const locked = s.state.addDevice({ status: 'Locked' });
    const refused = await send('POST', '/devices/complete', { deviceUid: locked.deviceUid });
    expect(refused.body.error).toMatchObject({
      message: 'DEVICE_STATE_INVALID',
      reason: "Current status is 'Locked'.",
    });
    const active = s.state.addDevice({ status: 'Enrolled' });
    expect(
      (await send('POST', '/devices/complete', { deviceUid: active.deviceUid, message: 'Paid off' })).status,
    ).toBe(200);
    expect((await send('POST', '/devices/cancelComplete', { deviceUid: active.deviceUid })).status).toBe(200);
    expect(s.state.device(active.deviceUid)?.status).toBe('Enrolled');
  });

  it('8. GET /authorization answers {result, user:{companyName, country, email, name, phoneNumber}}', async () => {
    const send = await wire();
    const answer = await send('GET', '/authorization');
    expect(Object.keys(answer.body).sort()).toEqual(['result', 'user']);
    expect(Object.keys(answer.body.user).sort()).toEqual([
      'companyName',
      'country',
      'email',
      'name',
      'phoneNumber',
    ]);
  });

  it('9. a sync success body with transactionId, code 2000000 and message SUCCESS decodes as success', () => {
    const body = {
      result: 'SUCCESS',
      transactionId: 'T1',
      code: 2000000,
      message: 'SUCCESS',
      objectId: 'KG1',
      requestedId: 'd1',
    };
    expect(decode({ status: 200, headers: {}, body: JSON.stringify(body) }).ok).toBe(true);
  });
});
