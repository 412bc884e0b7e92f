import { afterEach, describe, expect, it } from 'vitest';
import { decode, KNOX_CODES, type KnoxCodeName, type KnoxGuardError } from '../../../lib/errors';
import { parseCertificate } from '../../../lib/knox';
import { signKnoxJwt } from '../../../lib/knox/knoxJwt';
import { type KnoxTestBed, startKnoxTestBed } from '../../helpers/knoxTestKit';

let bed: KnoxTestBed | undefined;
afterEach(async () => {
  await bed?.sim.close();
  bed = undefined;
});

const lockParams = { message: 'Your payment is overdue.', tel: '+15550100' };

/** Drives the client into a situation and returns the Knox error it surfaced (thrown or per device). */
type Scenario = (b: KnoxTestBed) => Promise<KnoxGuardError>;

async function thrown(promise: Promise<unknown>): Promise<KnoxGuardError> {
  try {
    await promise;
  } catch (error) {
    return error as KnoxGuardError;
  }
  throw new Error('expected the call to fail');
}

async function firstDeviceError(promise: Promise<{ results: { ok: boolean }[] }>): Promise<KnoxGuardError> {
  const outcome = await promise;
  const failed = outcome.results.find((r) => !r.ok) as { error: KnoxGuardError } | undefined;
  if (!failed) throw new Error('expected a failed device');
  return failed.error;
}

const userIs =
  (status: 'blocked' | 'pending' | 'rejected' | 'invalid'): Scenario =>
  async (b) => {
    const user = b.sim.state.primaryUser;
    if (user) user.status = status;
    const id = b.sim.state.addDevice({ status: 'Enrolled' }).deviceUid;
    return firstDeviceError(b.client.execute('lock', [id, '350000000000014'], lockParams));
  };

const scenarios: Record<KnoxCodeName, Scenario> = {
  AUTHORIZATION_FAIL: async (b) => {
    b.sim.state.primaryKey.revoked = true; // the key was revoked in the Knox portal
    return thrown(b.client.whoAmI());
  },
  // With a token already issued: the token service answers the restriction with its own codes
  // (4042252/4042251, test/integration/knox/tokenService.test.ts), Knox Guard with these.
  API_KEY_RESTRICTION_INVALID: async (b) => {
    await b.client.whoAmI();
    b.sim.state.primaryKey.allowedIps = ['203.0.113.10']; // only the NAT gateway may call
    return thrown(b.client.listLicenses());
  },
  API_KEY_RESTRICTION_NOT_FOUND: async (b) => {
    await b.client.whoAmI();
    b.sim.state.primaryKey.restrictionId = 'R-DELETED';
    return thrown(b.client.whoAmI());
  },
  USER_NOT_FOUND: async (b) => {
    b.sim.state.users.delete(b.sim.state.primaryKey.userId); // the admin who made the key left
    return thrown(b.client.whoAmI());
  },
  TENANT_NOT_FOUND: async (b) => {
    b.sim.state.tenant.knoxGuardService = false; // wrong region or no Knox Guard subscription
    return thrown(b.client.whoAmI());
  },
  RESOURCE_INVALID_PARAM: async (b) => {
    const ids = [1, 2].map(() => b.sim.state.addDevice({ status: 'Enrolled' }).deviceUid);
    return firstDeviceError(b.client.execute('lock', ids, { message: 'Pay', email: 'billing-at-acme' }));
  },
  LICENSE_IS_LACK: async (b) => {
    const pending = [...b.sim.state.devices.scan({ status: ['Pending'] })].map((d) => d.deviceUid);
    return firstDeviceError(b.client.execute('approve', pending)); // only 3 spare seats for ~25 devices
  },
  DEVICE_NOT_FOUND: async (b) => firstDeviceError(b.client.execute('unlock', ['353535353535353'])),
  DEVICE_STATE_INVALID: async (b) => {
    const completed = b.sim.state.addDevice({ status: 'Completed' }).deviceUid;
    return firstDeviceError(b.client.execute('lock', [completed], lockParams));
  },
  DEVICE_BULK_OPERATION_LIMIT_EXCEEDED: async (b) => {
    b.sim.state.limits.bulk = 0; // the tenant's bulk limit is below a single device
    const ids = [1, 2].map(() => b.sim.state.addDevice({ status: 'Locked' }).deviceUid);
    return firstDeviceError(b.client.execute('unlock', ids));
  },
  PROFILE_NOT_FOUND: async (b) => {
    b.sim.state.tenant.profiles.clear(); // the default Knox Guard profile was deleted
    const pending = b.sim.state.addDevice({ status: 'Pending' }).deviceUid;
    return firstDeviceError(b.client.execute('approve', [pending]));
  },
  LICENSE_MAX_COUNT_REACHED: async (b) => {
    b.sim.state.limits.maxLicenses = 1;
    return thrown(b.client.registerLicense({ name: 'Second batch', licenseKey: 'KGL-COMMERCIAL-0002' }));
  },
  LICENSE_NAME_ALREADY_EXISTS: async (b) =>
    thrown(b.client.registerLicense({ name: 'Knox Guard commercial', licenseKey: 'KGL-COMMERCIAL-0003' })),
  LICENSE_INTERNAL_SERVER_FAILED: async (b) => {
    b.sim.state.tenant.licenseServiceFailing = true;
    return thrown(b.client.listLicenses());
  },
  LICENSE_KEY_ALREADY_EXISTS_IN_OTHER_REGION: async (b) =>
    thrown(b.client.registerLicense({ name: 'EU stock', licenseKey: 'KGL-EU-0001' })),
  LICENSE_MAX_TRIAL_LICENSE_COUNT_REACHED: async (b) =>
    thrown(b.client.registerLicense({ name: 'Another trial', licenseKey: 'KGL-TRIAL-0002' })),
  LICENSE_NOT_FOUND: async (b) => thrown(b.client.deleteLicense('KGL-TYPO-0001')),
  LICENSE_DEVICE_MAPPING_FOUND: async (b) => thrown(b.client.deleteLicense('KGL-COMMERCIAL-0001')),
  LICENSE_ALREADY_DELETED: async (b) => thrown(b.client.deleteLicense('KGL-TRIAL-0001')),
  USER_IN_INVALID_STATE: userIs('invalid'),
  USER_REJECTED_STATE: userIs('rejected'),
  USER_BLOCKED_STATE: userIs('blocked'),
  USER_PENDING_STATE: userIs('pending'),
  PRECONDITION_FAILED_EXCEPTION: async (b) => {
    // The device uses SIM control but the tenant never configured it.
    const id = b.sim.state.addDevice({ status: 'Enrolled', simControlEnabled: true }).deviceUid;
    return firstDeviceError(b.client.execute('lock', [id], lockParams));
  },
};

describe('every catalog code from a realistic situation in the simulator', () => {
  it('has a scenario for each of the 24 codes', () => {
    expect(KNOX_CODES).toHaveLength(24);
    expect(Object.keys(scenarios).sort()).toEqual(KNOX_CODES.map((entry) => entry.codeName).sort());
  });

  it.each(KNOX_CODES.map((entry) => [entry.codeName, entry] as const))('%s', async (codeName, entry) => {
    bed = await startKnoxTestBed({ unverifiedPaths: true }, { maxAttempts: 3, unverifiedLicenceApi: true });
    const error = await scenarios[codeName as KnoxCodeName](bed);
    expect(error.name).toBe('KnoxGuardError');
    expect(error).toMatchObject({
      code: entry.code,
      codeName,
      httpStatus: entry.httpStatus,
      known: true,
      retryable: entry.retryable,
      category: entry.category,
    });
    expect(error.reason).not.toBe('');
  });

  it('surfaces tenant-wide failures on every device of the chunk, with requestedId set', async () => {
    bed = await startKnoxTestBed({ unverifiedPaths: true }, { unverifiedLicenceApi: true });
    const user = bed.sim.state.primaryUser;
    if (user) user.status = 'blocked';
    const ids = [1, 2, 3].map(() => bed?.sim.state.addDevice({ status: 'Enrolled' }).deviceUid as string);
    const outcome = await bed.client.execute('lock', ids, lockParams);
    expect(outcome.results.map((r) => (r.ok ? 'ok' : `${r.error.codeName}:${r.error.requestedId}`))).toEqual(
      ids.map((id) => `USER_BLOCKED_STATE:${id}`),
    );
  });

  it('answers a reused JWT id at the token endpoint with 4002250, which decodes as the token-service code', async () => {
    bed = await startKnoxTestBed({ unverifiedPaths: true }, { unverifiedLicenceApi: true });
    const credentials = parseCertificate(bed.sim.certificate);
    const clientIdentifierJwt = signKnoxJwt(
      { clientIdentifier: bed.sim.clientIdentifier, publicKey: credentials.publicKeyBase64 },
      credentials.privateKey,
      { now: bed.clock.now() },
    );
    const send = async () => {
      const answer = await fetch(`${bed?.sim.url}/ams/v1/users/accesstoken`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          clientIdentifierJwt,
          base64EncodedStringPublicKey: credentials.publicKeyBase64,
          validityForAccessTokenInMinutes: 30,
        }),
      });
      return { status: answer.status, body: await answer.text() };
    };
    expect((await send()).status).toBe(200);
    const reused = decode(await send());
    expect(reused.ok).toBe(false);
    if (!reused.ok) {
      expect(reused.error).toMatchObject({
        code: '4002250',
        codeName: 'API_KEY_NON_UNIQUE_JWTID',
        httpStatus: 400,
        known: true,
      });
    }
  });
});
