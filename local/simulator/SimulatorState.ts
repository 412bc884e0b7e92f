import { hasValidLuhnCheckDigit } from '../../lib/devices';
import type { KnoxCodeName } from '../../lib/errors';
import {
  DEVICE_ADDRESS_FIELDS,
  type DeviceOperation,
  DeviceStatus,
  KNOX_BULK_LIMIT,
  matchesFieldType,
  operationRule,
} from '../../lib/knox';
import { DeviceStore, SEAT_HOLDING, type SimDevice } from './DeviceStore';
import type { ExecutionLedger } from './ExecutionLedger';

export const UserStatus = {
  active: 'active',
  blocked: 'blocked',
  pending: 'pending',
  rejected: 'rejected',
  invalid: 'invalid',
} as const;
export type UserStatus = (typeof UserStatus)[keyof typeof UserStatus];

export interface SimTenant {
  id: string;
  name: string;
  region: 'us' | 'eu';
  /** false: the tenant never signed up for Knox Guard (TENANT_NOT_FOUND). */
  knoxGuardService: boolean;
  /** The SIM control policy; null when none is configured (PRECONDITION_FAILED_EXCEPTION). */
  simControl: Record<string, unknown> | null;
  /** Profiles (policies) that exist; approving needs `defaultProfileId` among them. */
  profiles: Set<string>;
  defaultProfileId: string;
  /** The licence service fails internally (LICENSE_INTERNAL_SERVER_FAILED). */
  licenseServiceFailing: boolean;
}

export interface SimUser {
  id: string;
  email: string;
  status: UserStatus;
}

export interface SimApiKey {
  clientIdentifier: string;
  userId: string;
  /** Base64 DER SPKI of the registered public key. */
  publicKey: string;
  revoked: boolean;
  /** Allowed caller addresses; undefined: no IP restriction. */
  allowedIps?: string[];
  /** Id of the access restriction object; it must exist in `restrictions`. */
  restrictionId?: string;
}

export interface SimLicense {
  licenseKey: string;
  name: string;
  type: 'COMMERCIAL' | 'TRIAL';
  totalSeats: number;
  usedSeats: number;
  expiresAt: string;
  deleted: boolean;
}

export interface SimLimits {
  /** Most devices per `...Async` call (DEVICE_BULK_OPERATION_LIMIT_EXCEEDED above). */
  bulk: number;
  maxPageSize: number;
  /** Requests per second (sim clock) before answering 429; undefined: unlimited. */
  rateLimitPerSecond?: number;
  /** Retry-After seconds sent with a 429; null: no header. */
  retryAfterSeconds: number | null;
  /**
   * Response time floor per request (real ms from arrival): the answer is computed at once and
   * sent no earlier than this; later when computing it took longer.
   */
  latencyMs: number;
  maxLicenses: number;
  maxTrialLicenses: number;
  /**
   * Over how many polls of `/transaction` the results appear: poll k of N shows the first
   * ceil(k x count / N) entries (0 or 1: all at the first poll).
   */
  transactionPolls: number;
  /** The Completing window before a device becomes Completed. */
  completingWindowMs: number;
}

export interface SimFailure {
  code: KnoxCodeName;
  reason: string;
}

export interface SimTransaction {
  id: string;
  /** Polls answered so far. */
  polls: number;
  /** Polls over which the results appear (see `SimLimits.transactionPolls`). */
  pollsToFinish: number;
  /** Entries of the result list, and how many of them failed. */
  count: number;
  fail: number;
  /**
   * The result list (`[{result, requestedId, error?}, ...]`) as JSON text, serialised
   * once when stored: kept as objects, 10,000 entries per transaction would be copied by every
   * young-generation collection of a busy simulator, and serialised again at every poll.
   */
  resultListJson: string;
  /** Per entry (only when results appear over several polls): its JSON text and whether it failed. */
  entries?: { json: string[]; failed: Uint8Array };
}

function stateInvalid(status: DeviceStatus): { ok: false } & SimFailure {
  return { ok: false, code: 'DEVICE_STATE_INVALID', reason: `Current status is '${status}'.` };
}

/**
 * Whether `approveId` in a body is the value the operation sets (a body field of it in
 * `OPERATION_RULES`: approve, and accept, its alias) rather than the address of the device.
 */
export function setsApproveId(operation: DeviceOperation): boolean {
  return Object.hasOwn(operationRule(operation).fields, 'approveId');
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TEL = /^\+?[\d\s().-]{5,20}$/;

/**
 * The simulated Knox Guard tenant: users, API keys, licences, devices, issued tokens and bulk
 * transactions, plus the rules (state transitions, licence seats, SIM control, profiles) that
 * decide which error a request earns. Tests mutate it directly to set up a situation.
 */
export class SimulatorState {
  readonly clock: { now(): number };
  tenant: SimTenant = {
    id: 'T-0001',
    name: 'Simulated tenant',
    region: 'us',
    knoxGuardService: true,
    simControl: null,
    profiles: new Set(['KGP-DEFAULT']),
    defaultProfileId: 'KGP-DEFAULT',
    licenseServiceFailing: false,
  };
  readonly users = new Map<string, SimUser>();
  readonly apiKeys = new Map<string, SimApiKey>();
  readonly restrictions = new Set<string>();
  licenses: SimLicense[] = [];
  /** Licence keys already registered in the other region. */
  readonly otherRegionLicenseKeys = new Set<string>();
  readonly devices = new DeviceStore();
  limits: SimLimits = {
    bulk: KNOX_BULK_LIMIT,
    maxPageSize: 1000,
    retryAfterSeconds: 1,
    latencyMs: 0,
    maxLicenses: 5,
    maxTrialLicenses: 1,
    transactionPolls: 0,
    completingWindowMs: 2 * 24 * 3600_000,
  };
  readonly accessTokens = new Map<
    string,
    { clientIdentifier: string; expiresAt: number; revoked: boolean }
  >();
  readonly usedJtis = new Set<string>();
  readonly transactions = new Map<string, SimTransaction>();
  /** Per-device operation counts for fault-injection tests; off (undefined) by default. */
  ledger: ExecutionLedger | undefined;
  #customCounter = 0;
  #transactionCounter = 0;

  constructor(clock: { now(): number }) {
    this.clock = clock;
  }

  /** A device by deviceUid or objectId, with an expired Completing window already applied. */
  device(id: string): SimDevice | undefined {
    const device = this.devices.get(id);
    if (!device) return undefined;
    return this.#settle(device);
  }

  /** Adds a device (a fresh IMEI unless given); seat-holding statuses take a seat from the first licence with room. */
  addDevice(partial: Partial<SimDevice> & { status: DeviceStatus }): SimDevice {
    this.#customCounter += 1;
    const n = this.#customCounter;
    const device: SimDevice = {
      deviceUid: partial.deviceUid ?? withCheckDigit(`990${String(n).padStart(11, '0')}`),
      objectId: partial.objectId ?? `KGX${String(n).padStart(10, '0')}`,
      simControlEnabled: false,
      model: 'SM-A156B',
      ...partial,
    };
    if (SEAT_HOLDING.has(device.status) && device.licenseKey === undefined) {
      const license = this.#freeLicense();
      if (license) {
        license.usedSeats += 1;
        device.licenseKey = license.licenseKey;
      }
    }
    if (device.status === DeviceStatus.completing) {
      device.completingSince ??= this.clock.now();
      device.statusBeforeComplete ??= DeviceStatus.enrolled;
    }
    this.devices.put(device);
    return { ...device };
  }

  /** The device turns on and checks in: Accepted becomes Enrolled. */
  enroll(id: string): SimDevice {
    const device = this.device(id);
    if (!device) throw new Error(`simulator: no device ${id}`);
    if (device.status === DeviceStatus.accepted) {
      device.status = DeviceStatus.enrolled;
      this.devices.put(device);
    }
    return device;
  }

  /** Revokes every issued access token (Knox's side of "the token died mid-job"). */
  revokeAccessTokens(): void {
    for (const token of this.accessTokens.values()) token.revoked = true;
  }

  /** The API key the simulator seeded (the first one). */
  get primaryKey(): SimApiKey {
    const key = this.apiKeys.values().next().value;
    if (!key) throw new Error('simulator: no API key seeded');
    return key;
  }

  /** The user that owns the primary API key. */
  get primaryUser(): SimUser | undefined {
    return this.users.get(this.primaryKey.userId);
  }

  /** Why the key (and its user and tenant) may not call the API, or undefined when it may. */
  principalFailure(key: SimApiKey, remoteIp: string): SimFailure | undefined {
    if (key.revoked) return { code: 'AUTHORIZATION_FAIL', reason: 'The API key was revoked.' };
    if (key.restrictionId !== undefined && !this.restrictions.has(key.restrictionId)) {
      return { code: 'API_KEY_RESTRICTION_NOT_FOUND', reason: `Restriction ${key.restrictionId} not found.` };
    }
    if (key.allowedIps && !key.allowedIps.includes(remoteIp)) {
      return {
        code: 'API_KEY_RESTRICTION_INVALID',
        reason: `IP address ${remoteIp} is not allowed for this key.`,
      };
    }
    const user = this.users.get(key.userId);
    if (!user) return { code: 'USER_NOT_FOUND', reason: 'The user of this API key does not exist.' };
    const byStatus: Record<Exclude<UserStatus, 'active'>, SimFailure> = {
      blocked: { code: 'USER_BLOCKED_STATE', reason: 'User is blocked.' },
      pending: { code: 'USER_PENDING_STATE', reason: 'User approval is pending.' },
      rejected: { code: 'USER_REJECTED_STATE', reason: 'User was rejected.' },
      invalid: { code: 'USER_IN_INVALID_STATE', reason: 'User is in an invalid state.' },
    };
    if (user.status !== 'active') return byStatus[user.status];
    if (!this.tenant.knoxGuardService) {
      return { code: 'TENANT_NOT_FOUND', reason: 'No Knox Guard tenant for this customer in this region.' };
    }
    return undefined;
  }

  /**
   * Request-level validation of an operation's body fields against `OPERATION_RULES` (the table
   * the client validates with): a field the operation does not take, a wrong type, a missing
   * required field (blink `interval` too), text over its limit or no contact where one is needed
   * is RESOURCE_INVALID_PARAM. `params` holds the body without the device address.
   */
  paramFailure(operation: DeviceOperation, params: Record<string, unknown>): SimFailure | undefined {
    const rule = operationRule(operation);
    for (const name of Object.keys(params)) {
      if (!(name in rule.fields)) {
        return { code: 'RESOURCE_INVALID_PARAM', reason: `${name} is not a field of ${operation}.` };
      }
    }
    for (const [name, field] of Object.entries(rule.fields)) {
      const value = params[name];
      if (value === undefined) {
        if (field.required) return { code: 'RESOURCE_INVALID_PARAM', reason: `${name} is required.` };
        continue;
      }
      // JSON carries no NaN or Infinity, so the client's type check is Knox's here too.
      if (!matchesFieldType(value, field.type))
        return { code: 'RESOURCE_INVALID_PARAM', reason: `${name} must be a ${field.type}.` };
      if (typeof value === 'string' && name === 'message' && value.trim() === '' && field.required) {
        return { code: 'RESOURCE_INVALID_PARAM', reason: 'message is required.' };
      }
      if (typeof value === 'string' && field.maxLength !== undefined && [...value].length > field.maxLength) {
        return {
          code: 'RESOURCE_INVALID_PARAM',
          reason: `${name} must be at most ${field.maxLength} characters.`,
        };
      }
    }
    const { tel, email } = params;
    if (email !== undefined && (typeof email !== 'string' || !EMAIL.test(email))) {
      return { code: 'RESOURCE_INVALID_PARAM', reason: 'email is not a valid e-mail address.' };
    }
    if (tel !== undefined && (typeof tel !== 'string' || !TEL.test(tel))) {
      return { code: 'RESOURCE_INVALID_PARAM', reason: 'tel is not a valid phone number.' };
    }
    if (rule.contactRequired && tel === undefined && email === undefined) {
      return { code: 'RESOURCE_INVALID_PARAM', reason: 'tel or email is required.' };
    }
    return undefined;
  }

  /**
   * The deviceUid of the device a sync body addresses by any one of `deviceUid`, `objectId`,
   * `approveId` (Samsung's Get-started page), or undefined when none of them names a device. On
   * approve, `approveId` is the value to set, not an address.
   */
  resolveAddress(operation: DeviceOperation, body: Record<string, unknown>): string | undefined {
    for (const field of DEVICE_ADDRESS_FIELDS) {
      if (field === 'approveId' && setsApproveId(operation)) continue;
      const value = body[field];
      if (typeof value !== 'string' || value === '') continue;
      const device = field === 'approveId' ? this.devices.byApproveId(value) : this.device(value);
      return device?.deviceUid ?? value;
    }
    return undefined;
  }

  /**
   * Applies one operation to one device under Knox Guard's rules. A changed device is stored as
   * returned (no copy): read `result.device`, change devices with `devices.put`.
   */
  apply(
    operation: DeviceOperation,
    id: string,
    params: Record<string, unknown>,
  ): { ok: true; device: SimDevice } | ({ ok: false } & SimFailure) {
    const result = this.#apply(operation, id, params);
    this.ledger?.record(operation, id, result.ok);
    return result;
  }

  #apply(
    operation: DeviceOperation,
    id: string,
    params: Record<string, unknown>,
  ): { ok: true; device: SimDevice } | ({ ok: false } & SimFailure) {
    // Runs for every device of a bulk request: no closures or arrays per call.
    const device = this.device(id);
    if (!device) return { ok: false, code: 'DEVICE_NOT_FOUND', reason: `Device ${id} not found.` };
    const status = device.status;
    device.modifiedAt = this.clock.now();
    switch (operation) {
      case 'approve':
      case 'accept': {
        if (status !== DeviceStatus.pending) return stateInvalid(status);
        if (!this.tenant.profiles.has(this.tenant.defaultProfileId)) {
          return {
            ok: false,
            code: 'PROFILE_NOT_FOUND',
            reason: `Profile ${this.tenant.defaultProfileId} not found.`,
          };
        }
        const license = this.#freeLicense();
        if (!license) return { ok: false, code: 'LICENSE_IS_LACK', reason: 'No available licence.' };
        license.usedSeats += 1;
        device.licenseKey = license.licenseKey;
        device.status = DeviceStatus.accepted;
        // The client's approveId ties the device to its billing record: kept as sent.
        if (typeof params.approveId === 'string' && params.approveId !== '')
          device.approveId = params.approveId;
        break;
      }
      case 'reject':
        if (status !== DeviceStatus.pending) return stateInvalid(status);
        device.status = DeviceStatus.rejected;
        break;
      case 'lock':
        if (status !== DeviceStatus.enrolled) return stateInvalid(status);
        if (device.simControlEnabled && this.tenant.simControl === null) {
          return {
            ok: false,
            code: 'PRECONDITION_FAILED_EXCEPTION',
            reason: 'SIM control data is not configured.',
          };
        }
        device.status = DeviceStatus.locked;
        device.lockedAt = this.clock.now();
        break;
      case 'unlock':
        if (status !== DeviceStatus.locked) return stateInvalid(status);
        device.status = DeviceStatus.enrolled;
        delete device.lockedAt;
        break;
      case 'blink':
        if (status !== DeviceStatus.enrolled) return stateInvalid(status);
        break;
      case 'sendMessage':
        if (status !== DeviceStatus.enrolled && status !== DeviceStatus.locked) return stateInvalid(status);
        break;
      case 'complete':
        // The console completes Active (Enrolled) devices only (KG-1.2): not Locked ones.
        if (status !== DeviceStatus.enrolled) return stateInvalid(status);
        device.statusBeforeComplete = status;
        device.status = DeviceStatus.completing;
        device.completingSince = this.clock.now();
        break;
      case 'cancelComplete':
        if (status !== DeviceStatus.completing) return stateInvalid(status);
        // Cancelling reverts to Active (KG-1.2).
        device.status = DeviceStatus.enrolled;
        delete device.completingSince;
        break;
      case 'delete':
        if (
          status !== DeviceStatus.pending &&
          status !== DeviceStatus.accepted &&
          status !== DeviceStatus.rejected &&
          status !== DeviceStatus.completed
        ) {
          return stateInvalid(status);
        }
        this.#releaseSeat(device);
        this.devices.remove(device.deviceUid);
        return { ok: true, device };
    }
    this.devices.adopt(device);
    return { ok: true, device };
  }

  /**
   * Stores a finished bulk run under `id` (the client's `x-knox-transactionId`, or a new id):
   * `entries` are the result list entries as JSON text with their failed flags.
   */
  addTransaction(entries: readonly string[], failed: Uint8Array, id?: string): SimTransaction {
    this.#transactionCounter += 1;
    const pollsToFinish = this.limits.transactionPolls;
    let fail = 0;
    for (const flag of failed) fail += flag;
    const transaction: SimTransaction = {
      id: id ?? `TX-${String(this.#transactionCounter).padStart(8, '0')}`,
      polls: 0,
      pollsToFinish,
      count: entries.length,
      fail,
      // One string for the common case (all results at once); per entry only when they trickle in.
      resultListJson: pollsToFinish > 1 ? '' : `[${entries.join(',')}]`,
      ...(pollsToFinish > 1 ? { entries: { json: [...entries], failed } } : {}),
    };
    this.transactions.set(transaction.id, transaction);
    return transaction;
  }

  /** The next poll of a transaction: how many entries it shows and the fields of the answer. */
  poll(transaction: SimTransaction): {
    shown: number;
    success: number;
    fail: number;
    resultListJson: string;
  } {
    transaction.polls += 1;
    const { entries, count } = transaction;
    if (!entries)
      return {
        shown: count,
        success: count - transaction.fail,
        fail: transaction.fail,
        resultListJson: transaction.resultListJson,
      };
    const shown = Math.min(count, Math.ceil((transaction.polls * count) / transaction.pollsToFinish));
    let fail = 0;
    for (let i = 0; i < shown; i += 1) fail += entries.failed[i] as number;
    return {
      shown,
      success: shown - fail,
      fail,
      resultListJson: `[${entries.json.slice(0, shown).join(',')}]`,
    };
  }

  #settle(device: SimDevice): SimDevice {
    if (
      device.status === DeviceStatus.completing &&
      device.completingSince !== undefined &&
      this.clock.now() >= device.completingSince + this.limits.completingWindowMs
    ) {
      device.status = DeviceStatus.completed;
      this.#releaseSeat(device);
      this.devices.put(device);
    }
    return device;
  }

  #releaseSeat(device: SimDevice): void {
    if (device.licenseKey === undefined) return;
    const license = this.licenses.find((l) => l.licenseKey === device.licenseKey);
    if (license && license.usedSeats > 0) license.usedSeats -= 1;
    delete device.licenseKey;
  }

  #freeLicense(): SimLicense | undefined {
    return this.licenses.find((l) => !l.deleted && l.usedSeats < l.totalSeats);
  }
}

/** `body` (14 digits) plus its Luhn check digit: devices added by tests carry valid IMEIs. */
function withCheckDigit(body: string): string {
  for (let digit = 0; digit < 10; digit += 1) {
    if (hasValidLuhnCheckDigit(`${body}${digit}`)) return `${body}${digit}`;
  }
  throw new Error(`no check digit for ${body}`);
}
