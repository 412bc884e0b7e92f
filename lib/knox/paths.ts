import type { DeviceOperation } from './constants';

/** The Knox Guard API prefix of production (Samsung's KG-errors page: `POST /kcs/v1.1/kg/transaction`). */
export const KNOX_API_PREFIX = '/kcs/v1.1/kg';
/** The prefix of Samsung's Knox Guard test environment, which some real clients target. */
export const KNOX_TEST_API_PREFIX = '/kcs/v1.1/kg-integration';

/**
 * The body field that carries the id list of an `...Async` request. The one public bulk caller
 * found (PyKnox) sends an array under `deviceUid`; nothing documents it (see
 * docs/knox-api-contract.md): if a real tenant disagrees, change this one line.
 */
export const ASYNC_ID_LIST_FIELD = 'deviceUid';

/**
 * The client-generated request id header every real Knox Guard client sends (Guanzon-PHP,
 * PyKnox, Ranalo, AIDOO, FastAPI-ES); Samsung support asks for it. For an `...Async` submit it is
 * also the transaction handle when the answer carries no `transactionId` (PyKnox).
 */
export const TRANSACTION_ID_HEADER = 'x-knox-transactionId';

/** The device operations with paths of their own (`accept` is an alias of `approve`). */
export type PathOperation = Exclude<DeviceOperation, 'accept'>;

/** Sync and (when one is known) async path of a device operation. */
export interface OperationPaths {
  readonly sync: string;
  readonly async?: string;
}

/**
 * Every HTTP path the client (and the local simulator) uses under API prefix `prefix`, relative
 * to the base URL. Evidence per path: docs/knox-api-contract.md (generated from `contract.ts`).
 * `device` is a template: `{deviceUid}` is replaced by the (URL-encoded) id. Paths under
 * `unverified` have no source at all; the client calls them only when opted in.
 *
 * @example
 * knoxPaths('/kcs/v1.1/kg-integration').deviceList; // '/kcs/v1.1/kg-integration/devices/list'
 */
export function knoxPaths(prefix: string = KNOX_API_PREFIX) {
  const KG = normalisePrefix(prefix);
  return {
    accessToken: '/ams/v1/users/accesstoken',
    authorization: `${KG}/authorization`,
    deviceList: `${KG}/devices/list`,
    device: `${KG}/devices/{deviceUid}`,
    deviceUploads: `${KG}/devices/uploads`,
    getPin: `${KG}/devices/getPin`,
    offlineDeviceLockPin: `${KG}/devices/offlineDeviceLockPin`,
    transaction: `${KG}/transaction`,
    simControlData: `${KG}/policy/simControlData`,
    operations: {
      approve: { sync: `${KG}/devices/approve`, async: `${KG}/devices/approveAsync` },
      reject: { sync: `${KG}/devices/reject`, async: `${KG}/devices/rejectAsync` },
      lock: { sync: `${KG}/devices/lock`, async: `${KG}/devices/lockAsync` },
      unlock: { sync: `${KG}/devices/unlock`, async: `${KG}/devices/unlockAsync` },
      blink: { sync: `${KG}/devices/blink`, async: `${KG}/devices/blinkAsync` },
      sendMessage: { sync: `${KG}/devices/sendMessage`, async: `${KG}/devices/sendMessageAsync` },
      complete: { sync: `${KG}/devices/complete`, async: `${KG}/devices/completeAsync` },
      // No source for cancelCompleteAsync: bulk cancelComplete runs per device.
      cancelComplete: { sync: `${KG}/devices/cancelComplete` },
      delete: { sync: `${KG}/devices/delete`, async: `${KG}/devices/deleteAsync` },
    } as Readonly<Record<PathOperation, OperationPaths>>,
    /** No source found (issue 11): served by the simulator and called by the client only when opted in. */
    unverified: {
      licenseList: `${KG}/licenses/list`,
      licenseRegister: `${KG}/licenses/register`,
      licenseDelete: `${KG}/licenses/delete`,
      accept: `${KG}/devices/accept`,
      acceptAsync: `${KG}/devices/acceptAsync`,
      cancelCompleteAsync: `${KG}/devices/cancelCompleteAsync`,
    },
  } as const;
}

export type KnoxPaths = ReturnType<typeof knoxPaths>;

/** The paths under the production prefix: every Knox Guard path lives in `knoxPaths`. */
export const KNOX_PATHS: KnoxPaths = knoxPaths();

/** The Knox Guard regions; the base URL is configurable, these are the production hosts. */
export const KNOX_REGIONS = {
  us: 'https://us-kcs-api.samsungknox.com',
  eu: 'https://eu-kcs-api.samsungknox.com',
} as const;
export type KnoxRegion = keyof typeof KNOX_REGIONS;

/**
 * `url` without its trailing slashes (`https://eu-kcs-api.samsungknox.com//` -> `https://eu-kcs-api.samsungknox.com`).
 * The lookbehind makes the match start only at the first slash of a run: `/\/+$/` alone rescans a
 * long run of slashes from each of them, quadratic in its length.
 *
 * @example
 * withoutTrailingSlashes('https://eu-kcs-api.samsungknox.com/'); // 'https://eu-kcs-api.samsungknox.com'
 */
export function withoutTrailingSlashes(url: string): string {
  return url.replace(/(?<!\/)\/+$/, '');
}

function normalisePrefix(prefix: string): string {
  const trimmed = withoutTrailingSlashes(prefix.trim());
  if (!/^(\/[A-Za-z0-9._-]+)+$/.test(trimmed)) {
    throw new RangeError(`Knox Guard API prefix "${prefix}" is not a path like /kcs/v1.1/kg.`);
  }
  return trimmed;
}
