import type { DeviceResult } from '../errors';
import type { DeviceOperation, DeviceStatus } from './constants';
import type { HttpTransport } from './HttpTransport';
import type { OperationParams } from './operationRules';
import type { KnoxCertificateJson } from './parseCertificate';

// Derived from `OPERATION_RULES` (lib/knox/operationRules.ts), the one table of body fields.
export type { OperationParams } from './operationRules';

export interface CallOptions {
  /** Epoch ms (e.g. `Date.now() + context.getRemainingTimeInMillis() - margin`): stop retrying once reached and fail with the last error. */
  deadline?: number;
}

/** Options of `KnoxClient.execute`. */
export interface ExecuteOptions extends CallOptions {
  /**
   * Poll this earlier `...Async` transaction for the devices' results instead of submitting the
   * operation again (a follow-up of devices an earlier invocation left NOT_FINISHED). Devices the
   * transaction still does not report by the deadline stay NOT_FINISHED; nothing is submitted.
   */
  resume?: { transactionId: string };
}

export interface OperationOutcome {
  operation: DeviceOperation;
  /** One per requested device, in request order. */
  results: DeviceResult[];
  /**
   * Set when the `...Async` path could not be used (404/405/501 or an answer the client cannot
   * read) and the devices were run one sync call each instead: why, for one warning alert.
   */
  bulkPathUnavailable?: { reason: string };
  /**
   * Handles of the transactions that still had no result for some devices when polling stopped
   * (those devices are NOT_FINISHED), in the order they were met: what a follow-up polls
   * (`ExecuteOptions.resume`) instead of submitting the operation again.
   */
  unfinishedTransactions?: string[];
}

/** A device as `/devices/list` describes it; fields Knox adds later are kept in `raw`. */
export interface KnoxDevice {
  deviceUid: string;
  objectId: string;
  approveId?: string;
  /** Usually one of `DeviceStatus`; unknown states Knox introduces pass through as strings. */
  status: DeviceStatus | (string & {});
  simControlEnabled?: boolean;
  model?: string;
  /** The whole entry as received. */
  raw: Readonly<Record<string, unknown>>;
}

export interface DeviceListFilter {
  status?: readonly (DeviceStatus | (string & {}))[];
  simControlEnabled?: boolean;
  /** Devices whose SIM control policy has been applied (Ranalo's filter; 1 client). */
  simControlApplied?: boolean;
  /** Devices updated since then, sent as given (Ranalo's filter; its format is not documented). */
  updateTimeFrom?: string | number;
  /** Free text (IMEI, serial, objectId, approveId) as the console search box takes it. */
  search?: string;
  sortBy?: string;
  /** Sent as given: the one real client seen sends 'descending' (with sortBy 'updateTime'); nothing documents the values. */
  sortOrder?: string;
}

export interface DeviceListQuery extends DeviceListFilter {
  /** From 0. */
  pageNum: number;
  pageSize: number;
}

export interface DeviceListPage {
  /** The page and size actually read: smaller than asked when Knox refused the size (see `listDevices`). */
  pageNum: number;
  pageSize: number;
  totalCount: number;
  devices: KnoxDevice[];
}

export interface KnoxLicense {
  licenseKey: string;
  name: string;
  type: 'COMMERCIAL' | 'TRIAL' | (string & {});
  totalSeats: number;
  usedSeats: number;
  expiresAt?: string;
  raw: Readonly<Record<string, unknown>>;
}

export interface RegisterLicenseInput {
  name: string;
  licenseKey: string;
}

export interface KnoxClient {
  /**
   * Runs one operation on many devices. Request-level failures that survive retries never throw:
   * every device of the affected chunk gets a failed result with that same `KnoxGuardError`
   * (with `requestedId` set). Only invalid arguments throw, as `KnoxRequestError`, before any request.
   */
  execute(
    operation: DeviceOperation,
    deviceUids: readonly string[],
    params?: OperationParams,
    options?: ExecuteOptions,
  ): Promise<OperationOutcome>;
  /**
   * One page of `devices/list`. When Knox refuses the page size (RESOURCE_INVALID_PARAM naming
   * pageSize, or any RESOURCE_INVALID_PARAM for a size over 100: no maximum is documented), it asks
   * once more with a smaller size (100, or half) for the same devices, when they start on a page
   * boundary of it; the answer says which page and size were read.
   */
  listDevices(query: DeviceListQuery, options?: CallOptions): Promise<DeviceListPage>;
  /** Streams every matching device page by page; never holds more than one page. */
  iterateDevices(
    filter: DeviceListFilter,
    options?: CallOptions & { pageSize?: number },
  ): AsyncIterable<KnoxDevice>;
  /** Throws `KnoxGuardError` (DEVICE_NOT_FOUND when Knox does not know the id). */
  getDevice(deviceUid: string, options?: CallOptions): Promise<KnoxDevice>;
  /**
   * Whether the licence calls are enabled (`unverifiedLicenceApi`): their paths have no source,
   * so without the opt-in they throw `KnoxUnverifiedApiError` before sending anything.
   */
  readonly licenceApiEnabled: boolean;
  /** Unverified (see `licenceApiEnabled`). */
  listLicenses(options?: CallOptions): Promise<KnoxLicense[]>;
  /** Unverified (see `licenceApiEnabled`). */
  registerLicense(input: RegisterLicenseInput, options?: CallOptions): Promise<KnoxLicense>;
  /** Unverified (see `licenceApiEnabled`). */
  deleteLicense(licenseKey: string, options?: CallOptions): Promise<void>;
  /** The tenant's SIM control policy; PRECONDITION_FAILED_EXCEPTION when none is configured. */
  getSimControlPolicy(options?: CallOptions): Promise<Record<string, unknown>>;
  /** `GET /authorization`: the tenant and user the API key belongs to. */
  whoAmI(options?: CallOptions): Promise<unknown>;
}

export interface KnoxLogger {
  debug(message: string, data?: object): void;
  info(message: string, data?: object): void;
  warn(message: string, data?: object): void;
}

/**
 * The time source every lib folder takes as a dependency (the Knox Guard client, runs, alerts),
 * so tests control time. Declared once, here.
 *
 * @example
 * const clock: Clock = { now: () => Date.now() }; // epoch milliseconds
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface KnoxClientOptions {
  /** `KNOX_REGIONS.us`, `KNOX_REGIONS.eu` or the simulator's url. */
  baseUrl: string;
  /**
   * The Knox Guard API prefix under `baseUrl`. Default `/kcs/v1.1/kg`; Samsung's test environment
   * uses `/kcs/v1.1/kg-integration` (`KNOX_TEST_API_PREFIX`).
   */
  apiPrefix?: string;
  /**
   * Makes the `x-knox-transactionId` sent with each request. Default `crypto.randomUUID`.
   */
  newTransactionId?: () => string;
  /**
   * Calls the licence paths (`licenses/list|register|delete`), which no source confirms. Default
   * false (env `KNOX_UNVERIFIED_LICENCE_API=true` in the Lambda functions).
   */
  unverifiedLicenceApi?: boolean;
  clientIdentifier: string;
  /** The contents of certificate.json (validated with `parseCertificate`). */
  certificate: KnoxCertificateJson | string;
  /** Default `nodeHttpTransport()` (node:http/https with a keep-alive agent). */
  transport?: HttpTransport;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /**
   * Most attempts per request, including the first: a safety cap (default 50). Retries end first
   * at the call's deadline (the invocation's remaining time minus a margin).
   */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  requestTimeoutMs?: number;
  /** Most devices per bulk request. Default 10,000 (Knox's limit). */
  bulkLimit?: number;
  /**
   * Knox Guard requests in flight per `execute` call: bulk submits and transaction polls share
   * them (a chunk needs one of each). Default 4.
   */
  concurrency?: number;
  /**
   * Most requests this client starts per second (its share of the tenant's Knox Guard rate, see
   * `planCapacity` in lib/operations); requests are spaced evenly. Default: unlimited.
   */
  maxRequestsPerSecond?: number;
  /** Renew the access token this long before it expires by our clock. Default 5 minutes. */
  tokenRefreshMarginMs?: number;
  /** First wait between polls of a bulk transaction that is not finished; grows x1.5 per poll. Default 1 s. */
  transactionPollMs?: number;
  /** The longest wait between two polls of one transaction. Default 15 s. */
  transactionPollMaxMs?: number;
  logger?: KnoxLogger;
}
