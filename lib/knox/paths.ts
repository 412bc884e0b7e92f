/** Every Knox Guard API path lives in this table: the Knox Guard API is under this prefix. */
const KG = '/kcs/v1.1/kg';

/**
 * Every HTTP path the client (and the local simulator) uses, relative to the base URL. Samsung's
 * reference is the authority; when it disagrees, correct the one line here and both sides follow.
 * `sync` paths take one device, `async` paths take many and answer with a transaction id whose
 * per-device results come from `transaction`.
 */
export const KNOX_PATHS = {
  accessToken: '/ams/v1/users/accesstoken',
  authorization: `${KG}/authorization`,
  deviceList: `${KG}/devices/list`,
  transaction: `${KG}/transaction`,
  simControlData: `${KG}/policy/simControlData`,
  licenseList: `${KG}/licenses/list`,
  licenseRegister: `${KG}/licenses/register`,
  licenseDelete: `${KG}/licenses/delete`,
  operations: {
    approve: { sync: `${KG}/devices/approve`, async: `${KG}/devices/approveAsync` },
    accept: { sync: `${KG}/devices/accept`, async: `${KG}/devices/acceptAsync` },
    reject: { sync: `${KG}/devices/reject`, async: `${KG}/devices/rejectAsync` },
    lock: { sync: `${KG}/devices/lock`, async: `${KG}/devices/lockAsync` },
    unlock: { sync: `${KG}/devices/unlock`, async: `${KG}/devices/unlockAsync` },
    blink: { sync: `${KG}/devices/blink`, async: `${KG}/devices/blinkAsync` },
    sendMessage: { sync: `${KG}/devices/sendMessage`, async: `${KG}/devices/sendMessageAsync` },
    complete: { sync: `${KG}/devices/complete`, async: `${KG}/devices/completeAsync` },
    cancelComplete: { sync: `${KG}/devices/cancelComplete`, async: `${KG}/devices/cancelCompleteAsync` },
    delete: { sync: `${KG}/devices/delete`, async: `${KG}/devices/deleteAsync` },
  },
} as const;

/** The Knox Guard regions; the base URL is configurable, these are the production hosts. */
export const KNOX_REGIONS = {
  us: 'https://us-kcs-api.samsungknox.com',
  eu: 'https://eu-kcs-api.samsungknox.com',
} as const;
export type KnoxRegion = keyof typeof KNOX_REGIONS;
