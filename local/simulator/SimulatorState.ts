import type { KnoxCodeName } from '../../lib/errors';
import { type DeviceOperation, DeviceStatus, MESSAGE_RULES } from '../../lib/knox';
import { DeviceStore, SEAT_HOLDING, type SimDevice } from './DeviceStore';

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
  /** How many polls of `/transaction` answer IN_PROGRESS before the result. */
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
  pollsLeft: number;
  /** Entries of the result list, and how many of them failed. */
  count: number;
  fail: number;
  /**
   * The result list (`[{result, requestedId, error?}, ...]`) as JSON text, serialised
   * once when stored: kept as objects, 10,000 entries per transaction would be copied by every
   * young-generation collection of a busy simulator, and serialised again at every poll.
   */
  resultListJson: string;
}

function stateInvalid(status: DeviceStatus): { ok: false } & SimFailure {
  return { ok: false, code: 'DEVICE_STATE_INVALID', reason: `Current status is '${status}'.` };
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
    bulk: 10_000,
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
      deviceUid: partial.deviceUid ?? `990${String(n).padStart(12, '0')}`,
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

  /** Request-level validation of an operation's parameters (RESOURCE_INVALID_PARAM). */
  paramFailure(operation: DeviceOperation, params: Record<string, unknown>): SimFailure | undefined {
    const rules = (MESSAGE_RULES as Partial<Record<string, { maxLength: number; contactRequired: boolean }>>)[
      operation
    ];
    const { message, tel, email } = params;
    if (email !== undefined && (typeof email !== 'string' || !EMAIL.test(email))) {
      return { code: 'RESOURCE_INVALID_PARAM', reason: 'email is not a valid e-mail address.' };
    }
    if (tel !== undefined && (typeof tel !== 'string' || !TEL.test(tel))) {
      return { code: 'RESOURCE_INVALID_PARAM', reason: 'tel is not a valid phone number.' };
    }
    if (!rules) return undefined;
    if (typeof message !== 'string' || message.trim() === '') {
      return { code: 'RESOURCE_INVALID_PARAM', reason: 'message is required.' };
    }
    if ([...message].length > rules.maxLength) {
      return {
        code: 'RESOURCE_INVALID_PARAM',
        reason: `message must be at most ${rules.maxLength} characters.`,
      };
    }
    if (rules.contactRequired && tel === undefined && email === undefined) {
      return { code: 'RESOURCE_INVALID_PARAM', reason: 'tel or email is required.' };
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
    // Runs for every device of a bulk request: no closures or arrays per call.
    const device = this.device(id);
    if (!device) return { ok: false, code: 'DEVICE_NOT_FOUND', reason: `Device ${id} not found.` };
    const status = device.status;
    const message = typeof params.message === 'string' ? params.message : undefined;
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
        if (operation === 'approve') device.approveId ??= `APV-${device.objectId}`;
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
        if (message !== undefined) device.message = message;
        break;
      case 'unlock':
        if (status !== DeviceStatus.locked) return stateInvalid(status);
        device.status = DeviceStatus.enrolled;
        break;
      case 'blink':
        if (status !== DeviceStatus.enrolled) return stateInvalid(status);
        device.blinking = true;
        if (message !== undefined) device.message = message;
        break;
      case 'sendMessage':
        if (status !== DeviceStatus.enrolled && status !== DeviceStatus.locked) return stateInvalid(status);
        if (message !== undefined) device.message = message;
        break;
      case 'complete':
        if (
          status !== DeviceStatus.accepted &&
          status !== DeviceStatus.enrolled &&
          status !== DeviceStatus.locked
        )
          return stateInvalid(status);
        device.statusBeforeComplete = status;
        device.status = DeviceStatus.completing;
        device.completingSince = this.clock.now();
        break;
      case 'cancelComplete':
        if (status !== DeviceStatus.completing) return stateInvalid(status);
        device.status = device.statusBeforeComplete ?? DeviceStatus.enrolled;
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

  /** Stores a finished bulk run (its result list as JSON text) under a new transaction id. */
  addTransaction(resultListJson: string, count: number, fail: number): SimTransaction {
    this.#transactionCounter += 1;
    const transaction = {
      id: `TX-${String(this.#transactionCounter).padStart(8, '0')}`,
      pollsLeft: this.limits.transactionPolls,
      count,
      fail,
      resultListJson,
    };
    this.transactions.set(transaction.id, transaction);
    return transaction;
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
