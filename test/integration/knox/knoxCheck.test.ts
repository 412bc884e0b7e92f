// The tenant check (lib/knox/check) over real HTTP against the strict simulator on 127.0.0.1:0 and
// each plausible variant, plus servers that answer HTML 502 and a closed port: every one gets a
// report (never a throw), one row per contract row, with what differs named. The check and the
// simulator share a fake clock whose sleep advances time, so transaction polls do not wait.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkTenant, nodeHttpTransport, type TenantCheckOptions } from '../../../lib/knox';
import type { CheckRow, TenantCheckReport } from '../../../lib/knox/check';
import { KNOX_CONTRACT } from '../../../lib/knox/contract';
import { type KnoxSimulator, type KnoxSimulatorOptions, startKnoxSimulator } from '../../../local/simulator';
import { FakeClock } from '../../helpers/knoxTestKit';

let sim: KnoxSimulator | undefined;
let server: Server | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function startSim(
  options: KnoxSimulatorOptions = {},
): Promise<{ sim: KnoxSimulator; clock: FakeClock }> {
  const clock = new FakeClock(Date.now());
  sim = await startKnoxSimulator({ clock, recordRequests: true, ...options });
  return { sim, clock };
}

function check(
  target: KnoxSimulator,
  clock: FakeClock,
  extra: Partial<TenantCheckOptions> = {},
): Promise<TenantCheckReport> {
  return checkTenant(
    {
      baseUrl: target.url,
      clientIdentifier: target.clientIdentifier,
      certificate: target.certificate,
      ...extra,
    },
    { clock, sleep: clock.sleep },
  );
}

const rowOf = (report: TenantCheckReport, id: string): CheckRow => {
  const row = report.rows.find((r) => r.id === id);
  if (!row) throw new Error(`no row ${id}`);
  return row;
};
const ran = (report: TenantCheckReport) => report.rows.filter((r) => r.status !== 'skipped');
const enrolledDevice = (target: KnoxSimulator) => target.state.addDevice({ status: 'Enrolled' }).deviceUid;

describe('knox:check against the strict simulator', () => {
  it('passes read-only: token, authorization, one small device page, SIM control; one row per contract row', async () => {
    const { sim: s, clock } = await startSim();

    const report = await check(s, clock);

    expect(report.rows.map((r) => r.id)).toEqual(KNOX_CONTRACT.map((r) => r.id));
    expect(ran(report).map((r) => [r.id, r.status])).toEqual([
      ['accessToken:POST', 'pass'],
      ['authorization:GET', 'pass'],
      ['deviceList:POST', 'pass'],
      ['simControlData:GET', 'pass'],
    ]);
    expect(report.exitCode).toBe(0);
    expect(rowOf(report, 'deviceList:POST').answer).toMatch(
      /deviceList: \[5 × \{deviceUid: imei, objectId: /,
    );
    expect(rowOf(report, 'simControlData:GET').detail).toContain('PRECONDITION_FAILED_EXCEPTION');
    // Read-only: nothing but reads reached the tenant.
    expect(s.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /ams/v1/users/accesstoken',
      'GET /kcs/v1.1/kg/authorization',
      'POST /kcs/v1.1/kg/devices/list',
      'GET /kcs/v1.1/kg/policy/simControlData',
    ]);
    expect(s.requests[2]?.body).toEqual({ pageNum: 0, pageSize: 5 });
  });

  it('with --device runs ONE sendMessage through the async path and follows its transaction over polls', async () => {
    const { sim: s, clock } = await startSim({ transactionEmptyPolls: 2 });
    const device = enrolledDevice(s);

    const report = await check(s, clock, {
      device: { deviceUid: device, params: { message: 'Test notice' } },
    });

    expect(report.exitCode).toBe(0);
    const submit = rowOf(report, 'operations.sendMessage.async:POST');
    expect(submit.status).toBe('pass');
    expect(submit.findings).toEqual({ idListField: 'deviceUid', handleSource: 'sent x-knox-transactionId' });
    const poll = rowOf(report, 'transaction:POST');
    expect(poll.status).toBe('pass');
    expect(poll.findings).toMatchObject({ statusField: 'absent', deviceResult: 'SUCCESS' });
    expect(poll.findings?.polls).toBe(3);
    const writes = s.requests.filter((r) => r.path.includes('/devices/') && !r.path.endsWith('/list'));
    expect(writes).toHaveLength(1);
    expect(writes[0]?.body).toEqual({ deviceUid: [device], message: 'Test notice' });
    expect(report.device).not.toBe(device);
  });

  it('runs blink instead when asked, with its interval and contact', async () => {
    const { sim: s, clock } = await startSim();
    const device = enrolledDevice(s);

    const report = await check(s, clock, {
      device: {
        deviceUid: device,
        operation: 'blink',
        params: { message: 'Reminder', tel: '+4989202477', interval: 30 },
      },
    });

    expect(rowOf(report, 'operations.blink.async:POST').status).toBe('pass');
    expect(rowOf(report, 'operations.sendMessage.async:POST').detail).toBe(
      'not run: the check ran blink (--operation)',
    );
    expect(s.requests.find((r) => r.path.endsWith('/blinkAsync'))?.body).toEqual({
      deviceUid: [device],
      message: 'Reminder',
      tel: '+4989202477',
      interval: 30,
    });
    expect(report.exitCode).toBe(0);
  });

  it('reports the answer-keyed variant: the handle came from the answer', async () => {
    const { sim: s, clock } = await startSim({ transactionIdInAnswer: true });

    const report = await check(s, clock, {
      device: { deviceUid: enrolledDevice(s), params: { message: 'Hi' } },
    });

    expect(report.exitCode).toBe(0);
    expect(rowOf(report, 'operations.sendMessage.async:POST').findings?.handleSource).toBe(
      'answer transactionId',
    );
    expect(rowOf(report, 'transaction:POST').answer).toContain('transactionId: string');
  });

  it('reports the status-field variant: which status values appeared', async () => {
    const { sim: s, clock } = await startSim({ statusField: true, transactionEmptyPolls: 1 });

    const report = await check(s, clock, {
      device: { deviceUid: enrolledDevice(s), params: { message: 'Hi' } },
    });

    expect(report.exitCode).toBe(0);
    expect(rowOf(report, 'transaction:POST').findings?.statusField).toBe('IN_PROGRESS, COMPLETED');
  });

  it('reports a tenant without the async path as differing, with the fallback and the setting named', async () => {
    const { sim: s, clock } = await startSim({ asyncDisabled: true });

    const report = await check(s, clock, {
      device: { deviceUid: enrolledDevice(s), params: { message: 'Hi' } },
    });

    expect(report.exitCode).toBe(1);
    const submit = rowOf(report, 'operations.sendMessage.async:POST');
    expect(submit).toMatchObject({ status: 'differs', httpStatus: 404 });
    expect(submit.hint).toContain('BULK_PATH_UNAVAILABLE');
    expect(rowOf(report, 'transaction:POST')).toMatchObject({ status: 'skipped' });
    expect(rowOf(report, 'deviceList:POST').status).toBe('pass');
  });

  it('reports a transaction whose results never name the device as differing at the deadline', async () => {
    const { sim: s, clock } = await startSim({ transactionEmptyPolls: 1000 });

    const report = await check(s, clock, {
      device: { deviceUid: enrolledDevice(s), params: { message: 'Hi' } },
      transactionTimeoutMs: 20_000,
    });

    const poll = rowOf(report, 'transaction:POST');
    expect(poll.status).toBe('differs');
    expect(poll.hint).toContain('ASYNC_ID_LIST_FIELD');
    expect(Number(poll.findings?.polls)).toBeGreaterThan(2);
    expect(report.exitCode).toBe(1);
  });

  it('reports token-service errors in the array envelope (a key the tenant does not know)', async () => {
    const { sim: s, clock } = await startSim({ tokenErrorForm: 'array' });

    const report = await check(s, clock, { clientIdentifier: 'not-a-registered-key' });

    const token = rowOf(report, 'accessToken:POST');
    expect(token.status).toBe('error');
    expect(token.detail).toMatch(/^AUTHENTICATION_FAIL \(4030000/);
    expect(token.answer).toMatch(
      /^\{code: \[1 × .+\], message: \[1 × "AUTHENTICATION_FAIL"\], data: \[1 × string\]\}$/,
    );
    expect(token.hint).toContain('--client-id');
    expect(report.rows.filter((r) => r.id !== 'accessToken:POST').every((r) => r.status === 'skipped')).toBe(
      true,
    );
    expect(rowOf(report, 'deviceList:POST').detail).toBe('not run: no access token');
    expect(report.exitCode).toBe(1);
  });

  it('reports a wrong API prefix as differing and names knoxApiPrefix', async () => {
    const { sim: s, clock } = await startSim({ apiPrefix: '/kcs/v1.1/kg-integration' });

    const report = await check(s, clock);

    const list = rowOf(report, 'deviceList:POST');
    expect(list).toMatchObject({ status: 'differs', httpStatus: 404 });
    expect(list.hint).toContain('knoxApiPrefix');
    expect(report.exitCode).toBe(1);
    const fixed = await check(s, clock, { apiPrefix: '/kcs/v1.1/kg-integration' });
    expect(fixed.exitCode).toBe(0);
  });

  it('reads the unverified licence list only when asked, and says whether the opt-in is safe', async () => {
    const { sim: s, clock } = await startSim();
    const refused = await check(s, clock, { licences: true });
    expect(rowOf(refused, 'unverified.licenseList:GET')).toMatchObject({
      status: 'differs',
      httpStatus: 404,
    });
    expect(rowOf(refused, 'unverified.licenseList:GET').hint).toContain('knoxUnverifiedLicenceApi');

    await s.close();
    const served = await startSim({ unverifiedPaths: true });
    const report = await check(served.sim, served.clock, { licences: true });
    expect(rowOf(report, 'unverified.licenseList:GET')).toMatchObject({ status: 'pass' });
    expect(rowOf(report, 'unverified.licenseList:GET').detail).toContain('knoxUnverifiedLicenceApi');
  });
});

describe('knox:check against servers that are not Knox Guard', () => {
  it('reports an HTML 502 gateway page as an error row, never a crash', async () => {
    server = createServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { sim: s, clock } = await startSim(); // only for its certificate and client id
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const report = await check({ ...s, url }, clock);

    const token = rowOf(report, 'accessToken:POST');
    expect(token).toMatchObject({ status: 'error', httpStatus: 502 });
    expect(token.answer).toMatch(/^html \(text\/html, \d+ bytes\)$/);
    expect(token.detail).toContain('HTTP 502');
    expect(report.exitCode).toBe(1);
  });

  it("masks the device it was given inside Knox's reason, a bare serial maskText cannot find", async () => {
    server = createServer((_req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          result: 'FAIL',
          error: {
            code: '4030104',
            message: 'USER_BLOCKED_STATE',
            reason: 'Device R58M123ABCD: user blocked',
          },
        }),
      );
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { sim: s, clock } = await startSim(); // only for its certificate and client id
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const report = await check({ ...s, url }, clock, {
      device: { deviceUid: 'R58M123ABCD', params: { message: 'Hi' } },
    });

    expect(rowOf(report, 'accessToken:POST').detail).toBe(
      'USER_BLOCKED_STATE (4030104, HTTP 403): Device R5*****ABCD: user blocked',
    );
    expect(JSON.stringify(report)).not.toContain('R58M123ABCD');
  });

  it('reports a closed port as an error row with no answer', async () => {
    const { sim: s, clock } = await startSim();
    const url = s.url;
    await s.close();
    sim = undefined;

    const report = await check({ ...s, url }, clock);

    const token = rowOf(report, 'accessToken:POST');
    expect(token.status).toBe('error');
    expect(token.httpStatus).toBeUndefined();
    expect(token.answer).toMatch(/^no answer \(transport: /);
    expect(report.summary).toEqual({ pass: 0, differs: 0, error: 1, skipped: KNOX_CONTRACT.length - 1 });
  });

  it('reports HTML on a 200 for the device list as differing (an answer the client cannot read)', async () => {
    const { sim: s, clock } = await startSim();
    s.faults.push({ path: 'devices/list', status: 200, body: '<html>maintenance</html>', times: 2 });

    const report = await check(s, clock);

    expect(rowOf(report, 'deviceList:POST')).toMatchObject({ status: 'differs', httpStatus: 200 });
    expect(rowOf(report, 'deviceList:POST').answer).toMatch(/^html /);
  });
});

describe('the report holds no secret and no unmasked id', () => {
  it('has no access token, key or IMEI in its JSON', async () => {
    const { sim: s, clock } = await startSim();
    const device = enrolledDevice(s);
    const tokens: string[] = [];
    const real = nodeHttpTransport();
    const report = await checkTenant(
      {
        baseUrl: s.url,
        clientIdentifier: s.clientIdentifier,
        certificate: s.certificate,
        device: { deviceUid: device, params: { message: 'Hi' } },
      },
      {
        clock,
        sleep: clock.sleep,
        transport: {
          // Keeps every access token the tenant issued, to look for it in the report.
          async send(request) {
            const response = await real.send(request);
            if (request.url.endsWith('/accesstoken')) tokens.push(JSON.parse(response.body).accessToken);
            return response;
          },
        },
      },
    );
    const json = JSON.stringify(report);

    expect(report.exitCode).toBe(0);
    expect(tokens).toHaveLength(1);
    expect(json).not.toContain(tokens[0]);
    expect(json).not.toContain(device);
    expect(json).not.toMatch(/\d{15}/);
    expect(json).not.toContain(s.certificate.Private.slice(40, 80));
    expect(json).not.toContain(s.certificate.Public.slice(40, 80));
    expect(json).not.toContain(s.clientIdentifier);
  });
});
