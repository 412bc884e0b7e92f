import { randomUUID } from 'node:crypto';
import { failureFromEnvelope, KnoxGuardError, knoxCode, malformedResponseError } from '../errors';
import { CLIENT_DEFAULTS, type DeviceOperation } from './constants';
import { KnoxRequestError, KnoxUnverifiedApiError } from './errors';
import { type ExecuteContext, executeOperation } from './executeOperation';
import { KnoxHttp } from './KnoxHttp';
import { KnoxTokenProvider } from './KnoxTokenProvider';
import { nodeHttpTransport } from './nodeHttpTransport';
import { parseCertificate } from './parseCertificate';
import { knoxPaths, withoutTrailingSlashes } from './paths';
import { rateLimitedTransport } from './rateLimitedTransport';
import { toKnoxDevice, toKnoxLicense } from './toKnoxDevice';
import type {
  CallOptions,
  DeviceListFilter,
  DeviceListPage,
  DeviceListQuery,
  ExecuteOptions,
  KnoxClient,
  KnoxClientOptions,
  KnoxDevice,
  KnoxLicense,
  OperationParams,
} from './types';
import { validateOperation } from './validateOperation';

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** Polling a transaction without a caller deadline stops after this long. */
const TRANSACTION_MAX_WAIT_MS = 15 * 60_000;

/**
 * Builds the Knox Guard client: validates the certificate once, then signs and caches access
 * tokens, retries with full-jitter backoff within the caller's deadline, and splits bulk work
 * into chunks. Clock, sleep, random and the HTTP transport are injectable so tests control time
 * and faults.
 *
 * @example
 * const knox = createKnoxClient({ baseUrl: KNOX_REGIONS.eu, clientIdentifier, certificate });
 * const outcome = await knox.execute('lock', ['356938035643809'], { message: 'Payment overdue', tel: '+15550100' },
 *   { deadline: Date.now() + context.getRemainingTimeInMillis() - 5000 });
 */
export function createKnoxClient(options: KnoxClientOptions): KnoxClient {
  const credentials = parseCertificate(options.certificate);
  if (typeof options.clientIdentifier !== 'string' || options.clientIdentifier.trim() === '') {
    throw new KnoxRequestError('clientIdentifier must be a non-empty string.', 'clientIdentifier');
  }
  const clock = options.clock ?? { now: () => Date.now() };
  const sleep = options.sleep ?? realSleep;
  const bulkLimit = positiveInteger(options.bulkLimit ?? CLIENT_DEFAULTS.bulkLimit, 'bulkLimit');
  const concurrency = positiveInteger(options.concurrency ?? CLIENT_DEFAULTS.concurrency, 'concurrency');
  const transport = options.transport ?? nodeHttpTransport();
  const paths = knoxPaths(options.apiPrefix);
  const newTransactionId = options.newTransactionId ?? randomUUID;
  const licenceApiEnabled = options.unverifiedLicenceApi === true;
  const http = new KnoxHttp({
    baseUrl: withoutTrailingSlashes(options.baseUrl),
    transport:
      options.maxRequestsPerSecond === undefined
        ? transport
        : rateLimitedTransport(transport, {
            requestsPerSecond: options.maxRequestsPerSecond,
            clock,
            sleep,
            // The access token comes from Knox Cloud Services' auth API, once per 25 minutes: it
            // is not a Knox Guard call and must not delay the first one.
            exempt: (request) => request.url.endsWith(paths.accessToken),
          }),
    clock,
    sleep,
    random: options.random ?? Math.random,
    maxAttempts: positiveInteger(options.maxAttempts ?? CLIENT_DEFAULTS.maxAttempts, 'maxAttempts'),
    baseDelayMs: options.baseDelayMs ?? CLIENT_DEFAULTS.baseDelayMs,
    maxDelayMs: options.maxDelayMs ?? CLIENT_DEFAULTS.maxDelayMs,
    requestTimeoutMs: options.requestTimeoutMs ?? CLIENT_DEFAULTS.requestTimeoutMs,
    newTransactionId,
    logger: options.logger,
  });
  const tokens = new KnoxTokenProvider({
    credentials,
    clientIdentifier: options.clientIdentifier,
    clock,
    ...(options.tokenRefreshMarginMs === undefined ? {} : { refreshMarginMs: options.tokenRefreshMarginMs }),
    issue: http.tokenIssuer(paths.accessToken),
  });
  http.useTokens(tokens);
  const transactionPollMs = positiveInteger(
    options.transactionPollMs ?? CLIENT_DEFAULTS.transactionPollMs,
    'transactionPollMs',
  );
  const context: ExecuteContext = {
    http,
    clock,
    sleep,
    paths,
    bulkLimit,
    concurrency,
    transactionPollMs,
    transactionPollMaxMs: Math.max(
      transactionPollMs,
      options.transactionPollMaxMs ?? CLIENT_DEFAULTS.transactionPollMaxMs,
    ),
    transactionMaxWaitMs: TRANSACTION_MAX_WAIT_MS,
    newTransactionId,
    bulkUnavailable: new Map(),
    logger: options.logger,
  };
  /** The licence paths have no source: refuse before sending unless opted in. */
  const unverified = (path: string): string => {
    if (!licenceApiEnabled) {
      throw new KnoxUnverifiedApiError(
        `${path} has no source (docs/knox-api-contract.md); set unverifiedLicenceApi (KNOX_UNVERIFIED_LICENCE_API=true) to call it.`,
        path,
      );
    }
    return path;
  };

  // `parse` checks the shape of each 2xx answer inside the retry loop (see `KnoxCall.parse`).
  const post = (path: string, body: unknown, callOptions?: CallOptions, parse?: (body: unknown) => unknown) =>
    http.call({
      method: 'POST',
      path,
      body,
      deadline: callOptions?.deadline,
      auth: true,
      ...(parse === undefined ? {} : { parse }),
    });
  const get = (path: string, callOptions?: CallOptions, parse?: (body: unknown) => unknown) =>
    http.call({
      method: 'GET',
      path,
      deadline: callOptions?.deadline,
      auth: true,
      ...(parse === undefined ? {} : { parse }),
    });

  async function listDevices(query: DeviceListQuery, callOptions?: CallOptions): Promise<DeviceListPage> {
    if (!Number.isInteger(query.pageNum) || query.pageNum < 0) {
      throw new KnoxRequestError('pageNum must be an integer from 0.', 'pageNum');
    }
    positiveInteger(query.pageSize, 'pageSize');
    try {
      return await listPage(query, callOptions);
    } catch (error) {
      // No maximum pageSize is documented (docs/knox-api-evidence.md, discrepancy 13): a refused
      // size is asked once more smaller, for the same devices (same offset, on a page boundary).
      const smaller = query.pageSize > 100 ? 100 : Math.floor(query.pageSize / 2);
      const offset = query.pageNum * query.pageSize;
      const refusedSize =
        error instanceof KnoxGuardError &&
        error.codeName === 'RESOURCE_INVALID_PARAM' &&
        (/pagesize/i.test(error.reason) || query.pageSize > 100);
      if (!refusedSize || smaller < 1 || offset % smaller !== 0) throw error;
      options.logger?.warn('knox device list refused the page size, asking once with a smaller one', {
        pageSize: query.pageSize,
        next: smaller,
      });
      return listPage({ ...query, pageNum: offset / smaller, pageSize: smaller }, callOptions);
    }
  }

  async function listPage(query: DeviceListQuery, callOptions?: CallOptions): Promise<DeviceListPage> {
    const { pageNum, pageSize, search, sortBy, sortOrder, ...filter } = query;
    const record = (await post(
      paths.deviceList,
      {
        pageNum,
        pageSize,
        ...(search === undefined ? {} : { search }),
        ...(sortBy === undefined ? {} : { sortBy }),
        ...(sortOrder === undefined ? {} : { sortOrder }),
        ...(Object.keys(filter).length === 0 ? {} : { filter }),
      },
      callOptions,
      readDeviceList,
    )) as { totalCount?: unknown; devices: KnoxDevice[] };
    const devices = record.devices;
    const totalCount = typeof record.totalCount === 'number' ? record.totalCount : devices.length;
    return { pageNum, pageSize, totalCount, devices };
  }

  async function* iterateDevices(
    filter: DeviceListFilter,
    callOptions: CallOptions & { pageSize?: number } = {},
  ): AsyncGenerator<KnoxDevice> {
    // The size of the page Knox last accepted: a refused size shrinks for the rest of the walk.
    let pageSize = callOptions.pageSize ?? CLIENT_DEFAULTS.pageSize;
    for (let offset = 0; ; ) {
      const page = await listDevices({ ...filter, pageNum: offset / pageSize, pageSize }, callOptions);
      yield* page.devices;
      pageSize = page.pageSize;
      offset = (page.pageNum + 1) * page.pageSize;
      // Stop on a short page as well as on the count: totalCount may shrink while we page.
      if (page.devices.length < page.pageSize || offset >= page.totalCount) return;
    }
  }

  return {
    async execute(
      operation: DeviceOperation,
      deviceUids: readonly string[],
      params?: OperationParams,
      callOptions?: ExecuteOptions,
    ) {
      const body = validateOperation(operation, deviceUids, params);
      return executeOperation(
        context,
        operation,
        deviceUids,
        body,
        callOptions?.deadline,
        callOptions?.resume,
      );
    },
    listDevices,
    iterateDevices,
    async getDevice(deviceUid, callOptions) {
      if (typeof deviceUid !== 'string' || deviceUid.trim() === '') {
        throw new KnoxRequestError('deviceUid must be a non-empty string.', 'deviceUid');
      }
      // The list endpoint is the documented way to read one device: search, then match exactly.
      const page = await listDevices({ pageNum: 0, pageSize: 20, search: deviceUid }, callOptions);
      const device = page.devices.find((d) => d.deviceUid === deviceUid || d.objectId === deviceUid);
      if (device) return device;
      const notFound = knoxCode('DEVICE_NOT_FOUND');
      throw failureFromEnvelope(
        {
          code: notFound.code,
          message: notFound.codeName,
          reason: 'The device list has no device with this id.',
        },
        200,
        { requestedId: deviceUid },
      );
    },
    licenceApiEnabled,
    async listLicenses(callOptions) {
      return (await get(
        unverified(paths.unverified.licenseList),
        callOptions,
        readLicenceList,
      )) as KnoxLicense[];
    },
    async registerLicense(input, callOptions) {
      if (!input?.licenseKey?.trim() || !input.name?.trim()) {
        throw new KnoxRequestError('registerLicense needs a licenseKey and a name.', 'licenseKey');
      }
      const body = (await post(unverified(paths.unverified.licenseRegister), input, callOptions)) as
        | { license?: unknown }
        | undefined;
      return toKnoxLicense(body?.license ?? input);
    },
    async deleteLicense(licenseKey, callOptions) {
      if (typeof licenseKey !== 'string' || licenseKey.trim() === '') {
        throw new KnoxRequestError('deleteLicense needs a licenseKey.', 'licenseKey');
      }
      await post(unverified(paths.unverified.licenseDelete), { licenseKey }, callOptions);
    },
    async getSimControlPolicy(callOptions) {
      const body = await get(paths.simControlData, callOptions);
      return (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    },
    whoAmI: (callOptions) => get(paths.authorization, callOptions),
  };
}

/**
 * A device list answer's `totalCount` and devices, else a retryable MALFORMED_RESPONSE (no
 * `deviceList`, or an entry without ids or status), thrown inside the retry loop.
 */
function readDeviceList(body: unknown): { totalCount?: unknown; devices: KnoxDevice[] } {
  const record = body as { totalCount?: unknown; deviceList?: unknown } | undefined;
  if (!Array.isArray(record?.deviceList))
    throw malformedResponseError(200, 'The device list answer has no deviceList.');
  return { totalCount: record.totalCount, devices: record.deviceList.map(toKnoxDevice) };
}

/** A licence list answer's licences, else a retryable MALFORMED_RESPONSE, thrown inside the retry loop. */
function readLicenceList(body: unknown): KnoxLicense[] {
  const list = (body as { licenseList?: unknown } | undefined)?.licenseList;
  if (!Array.isArray(list)) throw malformedResponseError(200, 'The licence answer has no licenseList.');
  return list.map(toKnoxLicense);
}

function positiveInteger(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new KnoxRequestError(`${field} must be a positive integer.`, field);
  return value;
}
