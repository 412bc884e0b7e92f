import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type KnoxCodeEntry, type KnoxCodeName, knoxCode, tokenServiceCode } from '../../lib/errors';
import {
  ASYNC_ID_LIST_FIELD,
  DEVICE_ADDRESS_FIELDS,
  type DeviceOperation,
  DeviceStatus,
  KNOX_API_PREFIX,
  type KnoxPaths,
  knoxPaths,
  type PathOperation,
  parseCertificate,
  TRANSACTION_ID_HEADER,
} from '../../lib/knox';
import type { SimDevice } from './DeviceStore';
import { type SimApiKey, type SimFailure, SimulatorState, setsApproveId } from './SimulatorState';
import { createCertificate, type KeyFormat, type SeedOptions, seedTenant } from './seedTenant';
import { peekJwtPayload, verifyKnoxToken } from './verifyKnoxToken';

/** A scripted misbehaviour for the next `times` requests whose path contains `path`. */
export interface SimFault {
  /** Substring of the request path (e.g. 'lockAsync', '/transaction'); all paths when absent. */
  path?: string;
  /** How many matching requests it hits. Default 1. */
  times?: number;
  /** Answer with this status (and `body`, `headers`) instead of handling the request. */
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  /** Wait this long (real ms) first; alone, the request is then handled normally. */
  delayMs?: number;
  /** Destroy the connection without an answer. */
  reset?: boolean;
  /** Handle the request, then send only the first half of the body (a cut-off JSON). */
  truncate?: boolean;
  /**
   * Handle the request, then send the body with a UTF-8 byte order mark (EF BB BF) in front, as
   * some gateways do; the answer is unchanged otherwise.
   */
  bom?: boolean;
  /**
   * Handle the request (its effects stay: a token request's `jti` is recorded, an operation is
   * applied), then destroy the connection without an answer: the answer lost on the way back.
   */
  dropAnswer?: boolean;
}

export interface SimStats {
  total: number;
  byPath: Record<string, number>;
  byStatus: Record<string, number>;
  /** The most requests seen within one wall-clock second. */
  maxRequestsPerSecond: number;
  /** Devices returned by `/devices/list` so far. */
  devicesListed: number;
  /** Requests (after the token request) without an `x-knox-transactionId`, and with one that is not a UUID. */
  withoutTransactionId: number;
  nonUuidTransactionId: number;
}

/** One request as the simulator saw it (kept when `recordRequests` is set). */
export interface SimRequest {
  method: string;
  path: string;
  /** The `x-knox-transactionId` header, when sent. */
  transactionId?: string;
  body: Record<string, unknown>;
}

export interface KnoxSimulatorOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The simulator's clock (token expiry, Completing window, rate-limit windows). */
  clock?: { now(): number };
  /** 'empty': no devices or licences; otherwise the seeded tenant (default 300 devices). */
  seed?: 'empty' | SeedOptions;
  keyFormat?: KeyFormat;
  clientIdentifier?: string;
  bulkLimit?: number;
  rateLimitPerSecond?: number;
  /** Retry-After seconds on 429; null sends none. Default 1. */
  retryAfterSeconds?: number | null;
  /**
   * Response time floor in real ms: each answer is computed on arrival and sent at arrival +
   * latencyMs, or later when computing it took longer (see `handle`). Default 0.
   */
  latencyMs?: number;
  /**
   * How the token endpoint (Knox Cloud Authentication) writes its errors: `{code, message, data}`
   * with plain values ('object', default) or each value in a one-element array ('array'), as
   * KBA-1242 shows.
   */
  tokenErrorForm?: 'object' | 'array';
  /**
   * Access tokens expire this many simulator ms after issue instead of after their requested
   * validity; 0 makes every token expired at birth, which is what a skewed client clock looks
   * like from Knox's side.
   */
  expireTokensAfterMs?: number;
  /**
   * How a call with an expired access token is answered: Knox Guard's 401 AUTHORIZATION_FAIL
   * (default), or Knox Cloud Authentication's 4030000 AUTHENTICATION_FAIL (KBA-1242) or 4032251
   * ACCESS_TOKEN_EXPIRED in the token service's envelope; `status` overrides the HTTP status
   * (the 4030000 body has been seen with 200).
   */
  expiredTokenAnswer?: {
    code: 'AUTHORIZATION_FAIL' | 'AUTHENTICATION_FAIL' | 'ACCESS_TOKEN_EXPIRED';
    status?: number;
  };
  /** The Knox Guard API prefix served. Default `/kcs/v1.1/kg`. */
  apiPrefix?: string;
  /** Over how many `/transaction` polls the results appear (see `SimLimits.transactionPolls`). Default 0: all at once. */
  transactionPolls?: number;
  /** Variant: the async answer and the transaction answer carry a `transactionId` of the simulator's own. */
  transactionIdInAnswer?: boolean;
  /** Variant: the transaction answer carries `status` (IN_PROGRESS until every result is shown, then COMPLETED). */
  statusField?: boolean;
  /**
   * The first this many `/transaction` polls of each transaction answer no results yet (`resultList:
   * []`), as for a transaction Knox is still working on; unlike `transactionPolls` this holds back a
   * one-device transaction too. Default 0.
   */
  transactionEmptyPolls?: number;
  /** Variant: every `...Async` path answers 404. */
  asyncDisabled?: boolean;
  /** Serve the paths without any source: accept, acceptAsync, cancelCompleteAsync, licences. Default false. */
  unverifiedPaths?: boolean;
  /** Keep every request (method, path, x-knox-transactionId, body) in `requests`. Default false. */
  recordRequests?: boolean;
}

export interface KnoxSimulator {
  url: string;
  /** certificate.json for the seeded API key. */
  certificate: { Public: string; Private: string };
  clientIdentifier: string;
  state: SimulatorState;
  faults: SimFault[];
  stats: SimStats;
  /** The paths served (under `apiPrefix`). */
  paths: KnoxPaths;
  /** Every request, when started with `recordRequests`. */
  requests: SimRequest[];
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * Starts a local Knox Guard on 127.0.0.1 speaking the paths of `KNOX_PATHS`: token issue with
 * real JWT verification, device list and operations with Knox Guard's state rules, bulk
 * transactions, licences, SIM control policy, rate limiting and scripted faults. Every catalog
 * error comes from a situation set up in `state`.
 *
 * @example
 * const sim = await startKnoxSimulator();
 * const knox = createKnoxClient({ baseUrl: sim.url, clientIdentifier: sim.clientIdentifier, certificate: sim.certificate });
 * sim.faults.push({ path: 'lockAsync', status: 503, times: 2 });
 * await sim.close();
 */
export async function startKnoxSimulator(options: KnoxSimulatorOptions = {}): Promise<KnoxSimulator> {
  const clock = options.clock ?? { now: () => Date.now() };
  const state = new SimulatorState(clock);
  const certificate = createCertificate(options.keyFormat);
  const clientIdentifier = options.clientIdentifier ?? 'knox-sim-client-0001';
  const publicKey = parseCertificate(certificate).publicKeyBase64;
  if (options.seed === 'empty') {
    state.users.set('U-ADMIN', { id: 'U-ADMIN', email: 'kg-admin@acme.example', status: 'active' });
    state.apiKeys.set(clientIdentifier, { clientIdentifier, userId: 'U-ADMIN', publicKey, revoked: false });
  } else {
    seedTenant(state, clientIdentifier, publicKey, options.seed);
  }
  if (options.bulkLimit !== undefined) state.limits.bulk = options.bulkLimit;
  if (options.rateLimitPerSecond !== undefined) state.limits.rateLimitPerSecond = options.rateLimitPerSecond;
  if (options.retryAfterSeconds !== undefined) state.limits.retryAfterSeconds = options.retryAfterSeconds;
  if (options.latencyMs !== undefined) state.limits.latencyMs = options.latencyMs;
  if (options.transactionPolls !== undefined) state.limits.transactionPolls = options.transactionPolls;
  const paths = knoxPaths(options.apiPrefix ?? KNOX_API_PREFIX);
  const requests: SimRequest[] = [];
  const routes = routeTable(paths, options.unverifiedPaths === true);

  const faults: SimFault[] = [];
  const stats: SimStats = {
    total: 0,
    byPath: {},
    byStatus: {},
    maxRequestsPerSecond: 0,
    devicesListed: 0,
    withoutTransactionId: 0,
    nonUuidTransactionId: 0,
  };
  const wall = { second: 0, count: 0 };
  const window = { second: Number.NaN, count: 0 };
  let codeAsNumber = false;

  // Knox sends `code` as a number on some endpoints and as a string on others; alternate both.
  const codeValue = (code: string): string | number => {
    codeAsNumber = !codeAsNumber;
    return codeAsNumber ? Number(code) : code;
  };
  const kgError = (name: KnoxCodeName, reason: string): Answer => {
    const entry = knoxCode(name);
    return {
      status: entry.httpStatus,
      body: { result: 'FAIL', error: { code: codeValue(entry.code), message: entry.codeName, reason } },
    };
  };
  // Knox Cloud Authentication's own envelope, `{code, message, data}`, optionally with each value
  // in a one-element array (KBA-1242). Not Knox Guard's `{result, error}`.
  const tokenError = (entry: KnoxCodeEntry, data: string, status = entry.httpStatus): Answer => {
    const wrap = (value: unknown) => (options.tokenErrorForm === 'array' ? [value] : value);
    return {
      status,
      body: { code: wrap(codeValue(entry.code)), message: wrap(entry.codeName), data: wrap(data) },
    };
  };
  const expiredToken = (): Answer => {
    const chosen = options.expiredTokenAnswer;
    if (chosen === undefined || chosen.code === 'AUTHORIZATION_FAIL') {
      const answer = kgError('AUTHORIZATION_FAIL', 'The access token has expired.');
      return chosen?.status === undefined ? answer : { ...answer, status: chosen.status };
    }
    return tokenError(
      tokenServiceCode(chosen.code),
      'Failed to parse jwt token with any user public key: access token has expired',
      chosen.status,
    );
  };
  const fromFailure = (failure: SimFailure): Answer => kgError(failure.code, failure.reason);

  function record(path: string): void {
    stats.total += 1;
    stats.byPath[path] = (stats.byPath[path] ?? 0) + 1;
    const second = Math.floor(Date.now() / 1000);
    if (second !== wall.second) Object.assign(wall, { second, count: 0 });
    wall.count += 1;
    stats.maxRequestsPerSecond = Math.max(stats.maxRequestsPerSecond, wall.count);
  }

  function takeFault(path: string): SimFault | undefined {
    const index = faults.findIndex((fault) => fault.path === undefined || path.includes(fault.path));
    if (index < 0) return undefined;
    const fault = faults[index] as SimFault;
    const left = (fault.times ?? 1) - 1;
    if (left <= 0) faults.splice(index, 1);
    else fault.times = left;
    return fault;
  }

  function rateLimited(): Answer | undefined {
    const limit = state.limits.rateLimitPerSecond;
    if (limit === undefined) return undefined;
    const second = Math.floor(clock.now() / 1000);
    if (second !== window.second) Object.assign(window, { second, count: 0 });
    window.count += 1;
    if (window.count <= limit) return undefined;
    const retryAfter = state.limits.retryAfterSeconds;
    return {
      status: 429,
      body: {
        result: 'FAIL',
        error: { message: 'TOO_MANY_REQUESTS', reason: `More than ${limit} requests per second.` },
      },
      ...(retryAfter === null ? {} : { headers: { 'retry-after': String(retryAfter) } }),
    };
  }

  function issueToken(body: Record<string, unknown>, remoteIp: string): Answer {
    const jwt = body.clientIdentifierJwt;
    if (typeof jwt !== 'string')
      return tokenError(knoxCode('RESOURCE_INVALID_PARAM'), 'clientIdentifierJwt is required.');
    const validity = body.validityForAccessTokenInMinutes;
    if (validity !== undefined && !(Number.isInteger(validity) && Math.abs(validity as number) < 2 ** 31)) {
      return tokenError(
        tokenServiceCode('ACCESS_TOKEN_TIMEOUT_VALIDITY_RESOURCE_INVALID_PARAM'),
        'validityForAccessTokenInMinutes must be an int32.',
      );
    }
    const claimed = peekJwtPayload(jwt)?.clientIdentifier;
    const key = typeof claimed === 'string' ? state.apiKeys.get(claimed) : undefined;
    if (!key)
      return tokenError(tokenServiceCode('AUTHENTICATION_FAIL'), 'No API key for this client identifier.');
    if (body.base64EncodedStringPublicKey !== key.publicKey) {
      return tokenError(
        tokenServiceCode('AUTHENTICATION_FAIL'),
        'Failed to parse jwt token with any user public key.',
      );
    }
    const check = verifyKnoxToken(jwt, key.publicKey, clock.now());
    if (!check.ok) {
      const name = check.expired ? 'AUTHENTICATION_FAIL' : 'ACCESS_TOKEN_BAD_REQUEST';
      return tokenError(tokenServiceCode(name), check.reason);
    }
    const jti = check.payload.jti;
    if (typeof jti !== 'string' || jti === '')
      return tokenError(tokenServiceCode('ACCESS_TOKEN_BAD_REQUEST'), 'The JWT has no jti.');
    if (state.usedJtis.has(jti)) {
      return tokenError(
        tokenServiceCode('API_KEY_NON_UNIQUE_JWTID'),
        'Cannot use the same jwt again. A newly signed jwt needs to be created.',
      );
    }
    state.usedJtis.add(jti);
    const failure = state.principalFailure(key, remoteIp);
    if (failure) {
      // The token service has its own rows for the key restriction; the rest are Knox's.
      const entry =
        failure.code === 'API_KEY_RESTRICTION_INVALID' || failure.code === 'API_KEY_RESTRICTION_NOT_FOUND'
          ? tokenServiceCode(failure.code)
          : knoxCode(failure.code);
      return tokenError(entry, failure.reason);
    }
    const minutes = typeof validity === 'number' && validity > 0 && validity <= 30 ? validity : 30;
    const accessToken = randomBytes(24).toString('base64url');
    state.accessTokens.set(accessToken, {
      clientIdentifier: key.clientIdentifier,
      expiresAt: clock.now() + (options.expireTokensAfterMs ?? minutes * 60_000),
      revoked: false,
    });
    // Only `accessToken`: what Samsung's clients read, and all the answer is known to hold.
    return { status: 200, body: { accessToken } };
  }

  function authenticate(header: string | undefined, remoteIp: string): SimApiKey | Answer {
    if (!header) return kgError('AUTHORIZATION_FAIL', 'x-knox-apitoken is missing.');
    const claims = peekJwtPayload(header);
    const key = [...state.apiKeys.values()].find((k) => k.publicKey === claims?.publicKey);
    if (!key) return kgError('AUTHORIZATION_FAIL', 'The token public key is not registered.');
    const check = verifyKnoxToken(header, key.publicKey, clock.now());
    if (!check.ok) return check.expired ? expiredToken() : kgError('AUTHORIZATION_FAIL', check.reason);
    const token = state.accessTokens.get(String(check.payload.accessToken));
    if (!token || token.clientIdentifier !== key.clientIdentifier)
      return kgError('AUTHORIZATION_FAIL', 'Unknown access token.');
    if (token.revoked) return kgError('AUTHORIZATION_FAIL', 'The access token was revoked.');
    if (token.expiresAt <= clock.now()) return expiredToken();
    const failure = state.principalFailure(key, remoteIp);
    return failure ? fromFailure(failure) : key;
  }

  /** A Knox Guard error envelope without a catalog code (404, 405). */
  const plainError = (status: number, message: string, reason: string): Answer => ({
    status,
    body: { result: 'FAIL', error: { message, reason } },
  });
  /** RESOURCE_INVALID_PARAM naming the first body field `allowed` does not list, if any. */
  const unexpected = (body: Record<string, unknown>, allowed: readonly string[]): Answer | undefined => {
    const field = Object.keys(body).find((name) => !allowed.includes(name));
    return field === undefined ? undefined : kgError('RESOURCE_INVALID_PARAM', `${field} is not expected.`);
  };
  const devicePrefix = paths.device.slice(0, paths.device.indexOf('{'));

  function route(
    method: string,
    path: string,
    body: Record<string, unknown>,
    key: SimApiKey,
    transactionId: string | undefined,
  ): Answer | Promise<Answer> {
    const ok = (extra: Record<string, unknown>): Answer => ({
      status: 200,
      body: { result: 'SUCCESS', ...extra },
    });
    const target = routes.get(path);
    if (!target) {
      const rest = path.slice(devicePrefix.length);
      if (method === 'GET' && path.startsWith(devicePrefix) && rest !== '' && !rest.includes('/')) {
        return getDevice(decodeURIComponent(rest));
      }
      return plainError(404, 'NOT_FOUND', `No route ${method} ${path}.`);
    }
    if (!target.methods.includes(method)) {
      return plainError(
        405,
        'METHOD_NOT_ALLOWED',
        `${method} is not allowed on ${path}; use ${target.methods.join(' or ')}.`,
      );
    }
    const kind = target.kind;
    switch (kind.type) {
      case 'authorization': {
        if (Object.keys(body).length > 0) return kgError('RESOURCE_INVALID_PARAM', 'No body is expected.');
        const user = state.users.get(key.userId);
        return ok({
          user: {
            companyName: state.tenant.name,
            country: state.tenant.region === 'eu' ? 'DE' : 'US',
            email: user?.email ?? '',
            name: user?.id ?? '',
            phoneNumber: '+1 555 0100',
          },
        });
      }
      case 'deviceList':
        return (
          unexpected(body, ['pageNum', 'pageSize', 'search', 'sortBy', 'sortOrder', 'filter']) ??
          listDevices(body)
        );
      case 'transaction':
        return pollTransaction(body, transactionId);
      case 'simControlData':
        if (method === 'PUT') {
          state.tenant.simControl = body;
          return ok({});
        }
        if (state.tenant.simControl === null)
          return kgError('PRECONDITION_FAILED_EXCEPTION', 'SIM control data is not configured.');
        return ok({ ...state.tenant.simControl });
      case 'uploads':
        return method === 'GET' ? ok({ uploadList: uploads }) : uploadDevices(body);
      case 'getPin': {
        const device = addressed('getPin', body, []);
        if (!('objectId' in device)) return device;
        return ok({ lockPin: pinOf(device.deviceUid) });
      }
      case 'offlineDeviceLockPin': {
        const device = addressed('offlineDeviceLockPin', body, ['challenge']);
        if (!('objectId' in device)) return device;
        if (typeof body.challenge !== 'string' || body.challenge === '')
          return kgError('RESOURCE_INVALID_PARAM', 'challenge is required.');
        return ok({ pinNumber: [pinOf(`${device.deviceUid}:${body.challenge}`)] });
      }
      case 'licenseList':
        if (state.tenant.licenseServiceFailing)
          return kgError('LICENSE_INTERNAL_SERVER_FAILED', 'License service failed.');
        return ok({
          licenseList: state.licenses.filter((l) => !l.deleted).map(({ deleted: _deleted, ...l }) => l),
        });
      case 'licenseRegister':
        return registerLicense(body);
      case 'licenseDelete':
        return deleteLicense(body);
      case 'sync':
        return runSync(kind.operation, body);
      case 'async':
        if (options.asyncDisabled) return plainError(404, 'NOT_FOUND', `No route ${method} ${path}.`);
        return runAsync(kind.operation, body, transactionId);
    }
  }

  /** The device a body addresses by deviceUid, objectId or approveId, or the error answer. */
  function addressed(
    what: string,
    body: Record<string, unknown>,
    extra: readonly string[],
  ): SimDevice | Answer {
    const invalid = unexpected(body, [...DEVICE_ADDRESS_FIELDS, ...extra]);
    if (invalid) return invalid;
    const id = state.resolveAddress('lock', body);
    if (id === undefined)
      return kgError('RESOURCE_INVALID_PARAM', `${what} needs deviceUid, objectId or approveId.`);
    return state.device(id) ?? kgError('DEVICE_NOT_FOUND', `Device ${id} not found.`);
  }

  function getDevice(id: string): Answer {
    const device = state.device(id) ?? state.devices.byApproveId(id);
    if (!device) return kgError('DEVICE_NOT_FOUND', `Device ${id} not found.`);
    return { status: 200, body: { result: 'SUCCESS', device: toApiDevice(device) } };
  }

  const uploads: Record<string, unknown>[] = [];
  function uploadDevices(body: Record<string, unknown>): Answer {
    const invalid = unexpected(body, [
      'deviceList',
      'autoAccept',
      'autoLock',
      'applySimControl',
      'enableBlockFactoryReset',
      'blockDOProvision',
      'blockADBCommand',
    ]);
    if (invalid) return invalid;
    if (!Array.isArray(body.deviceList) || body.deviceList.length === 0)
      return kgError('RESOURCE_INVALID_PARAM', 'deviceList must be a non-empty list.');
    const invalidReasons: string[] = [];
    let valid = 0;
    for (const entry of body.deviceList as unknown[]) {
      const { deviceUid, approveId } = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<
        string,
        unknown
      >;
      if (typeof deviceUid !== 'string' || deviceUid === '') {
        invalidReasons.push('An entry has no deviceUid.');
        continue;
      }
      if (state.device(deviceUid)) {
        invalidReasons.push(`${deviceUid} is already uploaded.`);
        continue;
      }
      state.addDevice({
        deviceUid,
        status: body.autoAccept === true ? DeviceStatus.accepted : DeviceStatus.pending,
        ...(typeof approveId === 'string' ? { approveId } : {}),
      });
      valid += 1;
    }
    const upload = {
      uploadId: `UP-${String(uploads.length + 1).padStart(6, '0')}`,
      uploadStatus: 'COMPLETED',
      totalDeviceCount: body.deviceList.length,
      validDeviceCount: valid,
      invalidDeviceCount: body.deviceList.length - valid,
      invalidReasons,
    };
    uploads.push(upload);
    return { status: 200, body: { result: 'SUCCESS', ...upload } };
  }

  const emptyPolls = new WeakMap<object, number>();
  function pollTransaction(body: Record<string, unknown>, header: string | undefined): Answer {
    const invalid = unexpected(body, ['transactionId']);
    if (invalid) return invalid;
    const key =
      typeof body.transactionId === 'string' && body.transactionId !== '' ? body.transactionId : header;
    const transaction = key === undefined ? undefined : state.transactions.get(key);
    if (!transaction) return kgError('RESOURCE_INVALID_PARAM', 'Unknown transaction.');
    const held = emptyPolls.get(transaction) ?? 0;
    const holding = held < (options.transactionEmptyPolls ?? 0);
    if (holding) emptyPolls.set(transaction, held + 1);
    const { shown, success, fail, resultListJson } = holding
      ? { shown: 0, success: 0, fail: 0, resultListJson: '[]' }
      : state.poll(transaction);
    const extra = [
      options.transactionIdInAnswer ? `"transactionId":${JSON.stringify(transaction.id)},` : '',
      options.statusField ? `"status":"${shown < transaction.count ? 'IN_PROGRESS' : 'COMPLETED'}",` : '',
    ].join('');
    return {
      status: 200,
      body: `{"result":"SUCCESS",${extra}"count":${transaction.count},"success":${success},"fail":${fail},"resultList":${resultListJson}}`,
    };
  }

  function listDevices(body: Record<string, unknown>): Answer {
    const { pageNum, pageSize } = body;
    if (!Number.isInteger(pageNum) || (pageNum as number) < 0)
      return kgError('RESOURCE_INVALID_PARAM', 'pageNum must be an integer from 0.');
    if (
      !Number.isInteger(pageSize) ||
      (pageSize as number) < 1 ||
      (pageSize as number) > state.limits.maxPageSize
    ) {
      return kgError('RESOURCE_INVALID_PARAM', `pageSize must be between 1 and ${state.limits.maxPageSize}.`);
    }
    const filter = (typeof body.filter === 'object' && body.filter !== null ? body.filter : {}) as Record<
      string,
      unknown
    >;
    const page = state.devices.page(
      {
        ...(Array.isArray(filter.status) ? { status: filter.status.map(String) } : {}),
        ...(typeof filter.simControlEnabled === 'boolean'
          ? { simControlEnabled: filter.simControlEnabled }
          : {}),
        ...(typeof body.search === 'string' && body.search !== '' ? { search: body.search } : {}),
      },
      pageNum as number,
      pageSize as number,
    );
    stats.devicesListed += page.devices.length;
    const deviceList = page.devices.map((device) =>
      toApiDevice(
        device.status === DeviceStatus.completing ? (state.device(device.deviceUid) ?? device) : device,
      ),
    );
    return { status: 200, body: { result: 'SUCCESS', totalCount: page.totalCount, deviceList } };
  }

  function runSync(operation: DeviceOperation, body: Record<string, unknown>): Answer {
    const { deviceUid: _deviceUid, objectId: _objectId, ...params } = body;
    // On approve, approveId is the value to keep; elsewhere it is only an address.
    if (!setsApproveId(operation)) delete params.approveId;
    const id = state.resolveAddress(operation, body);
    if (id === undefined)
      return kgError('RESOURCE_INVALID_PARAM', 'deviceUid, objectId or approveId is required.');
    const invalid = state.paramFailure(operation, params);
    if (invalid) return fromFailure(invalid);
    const result = state.apply(operation, id, params);
    if (!result.ok) return kgError(result.code, result.reason);
    return {
      status: 200,
      body: { result: 'SUCCESS', objectId: result.device.objectId, requestedId: id },
    };
  }

  function runAsync(
    operation: DeviceOperation,
    body: Record<string, unknown>,
    header: string | undefined,
  ): Answer | Promise<Answer> {
    const { [ASYNC_ID_LIST_FIELD]: list, ...params } = body;
    if (!Array.isArray(list) || list.length === 0) {
      return kgError('RESOURCE_INVALID_PARAM', `${ASYNC_ID_LIST_FIELD} must be a non-empty list.`);
    }
    if (list.length > state.limits.bulk) {
      return kgError(
        'DEVICE_BULK_OPERATION_LIMIT_EXCEEDED',
        `At most ${state.limits.bulk} devices per request.`,
      );
    }
    const invalid = state.paramFailure(operation, params);
    if (invalid) return fromFailure(invalid);
    // Each entry is written as JSON text here, not kept as an object and serialised at each poll
    // (see SimTransaction.resultListJson): the entries die young.
    const entries: string[] = new Array(list.length);
    const failed = new Uint8Array(list.length);
    const apply = (from: number, to: number): void => {
      for (let i = from; i < to; i += 1) {
        const requestedId = String(list[i]);
        const result = state.apply(operation, requestedId, params);
        if (result.ok) {
          // The documented /transaction entry is {result, requestedId, error?} (KG-errors).
          entries[i] = `{"result":"SUCCESS","requestedId":${JSON.stringify(requestedId)}}`;
        } else {
          failed[i] = 1;
          const known = knoxCode(result.code);
          entries[i] = JSON.stringify({
            result: 'FAIL',
            requestedId,
            error: { code: codeValue(known.code), message: known.codeName, reason: result.reason },
          });
        }
      }
    };
    const submitted = (): Answer => {
      // Keyed by the client's x-knox-transactionId (PyKnox uses it as the handle); the simulator's
      // own id only in the transactionIdInAnswer variant or when no header came.
      const own = options.transactionIdInAnswer === true || header === undefined;
      const transaction = state.addTransaction(entries, failed, own ? undefined : header);
      if (own && header !== undefined) state.transactions.set(header, transaction);
      return {
        status: 200,
        body: {
          result: 'SUCCESS',
          ...(options.transactionIdInAnswer ? { transactionId: transaction.id } : {}),
        },
      };
    };
    if (state.limits.latencyMs <= 0) {
      apply(0, list.length);
      return submitted();
    }
    // With a latency, the work is done in slices with a turn of the event loop between them, so
    // requests arriving meanwhile are read and their latency starts on time, as on a service that
    // works on many requests at once (see `handle`). Without one, a request is applied in one go
    // and concurrent requests never interleave.
    return (async () => {
      for (let from = 0; from < list.length; from += BULK_SLICE) {
        if (from > 0) await nextTurn();
        apply(from, Math.min(list.length, from + BULK_SLICE));
      }
      return submitted();
    })();
  }

  function registerLicense(body: Record<string, unknown>): Answer {
    if (state.tenant.licenseServiceFailing)
      return kgError('LICENSE_INTERNAL_SERVER_FAILED', 'License service failed.');
    const { name, licenseKey } = body;
    if (typeof name !== 'string' || typeof licenseKey !== 'string')
      return kgError('RESOURCE_INVALID_PARAM', 'name and licenseKey are required.');
    if (state.otherRegionLicenseKeys.has(licenseKey)) {
      return kgError(
        'LICENSE_KEY_ALREADY_EXISTS_IN_OTHER_REGION',
        'The licence key is registered in another region.',
      );
    }
    const live = state.licenses.filter((l) => !l.deleted);
    if (live.some((l) => l.name === name))
      return kgError('LICENSE_NAME_ALREADY_EXISTS', `A licence named '${name}' exists.`);
    const trial = body.type === 'TRIAL' || licenseKey.includes('TRIAL');
    if (trial && state.licenses.filter((l) => l.type === 'TRIAL').length >= state.limits.maxTrialLicenses) {
      return kgError('LICENSE_MAX_TRIAL_LICENSE_COUNT_REACHED', 'The trial licence limit was reached.');
    }
    if (live.length >= state.limits.maxLicenses)
      return kgError('LICENSE_MAX_COUNT_REACHED', `At most ${state.limits.maxLicenses} licences.`);
    const license = {
      licenseKey,
      name,
      type: trial ? ('TRIAL' as const) : ('COMMERCIAL' as const),
      totalSeats: typeof body.totalSeats === 'number' ? body.totalSeats : 100,
      usedSeats: 0,
      expiresAt: new Date(clock.now() + 365 * 24 * 3600_000).toISOString(),
      deleted: false,
    };
    state.licenses.push(license);
    const { deleted: _deleted, ...shown } = license;
    return { status: 200, body: { result: 'SUCCESS', license: shown } };
  }

  function deleteLicense(body: Record<string, unknown>): Answer {
    if (state.tenant.licenseServiceFailing)
      return kgError('LICENSE_INTERNAL_SERVER_FAILED', 'License service failed.');
    const license = state.licenses.find((l) => l.licenseKey === body.licenseKey);
    if (!license) return kgError('LICENSE_NOT_FOUND', 'No such licence.');
    if (license.deleted) return kgError('LICENSE_ALREADY_DELETED', 'The licence was already deleted.');
    if (license.usedSeats > 0)
      return kgError('LICENSE_DEVICE_MAPPING_FOUND', `${license.usedSeats} devices use this licence.`);
    license.deleted = true;
    return { status: 200, body: { result: 'SUCCESS' } };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let arrived = performance.now();
    const path = new URL(req.url ?? '/', 'http://simulator').pathname;
    const text = await readBody(req);
    record(path);
    const fault = takeFault(path);
    if (fault?.delayMs) {
      await delay(fault.delayMs);
      // A slow answer on top of the usual latency, as before: the floor counts from here.
      arrived = performance.now();
    }
    if (fault?.reset) {
      req.socket.destroy();
      return;
    }
    if (fault?.status !== undefined) {
      send(res, fault.status, fault.body ?? '', fault.headers ?? {});
      return;
    }
    // `latencyMs` is the response time floor, not a wait before the work: Knox Guard's latency as
    // a client measures it already includes Knox's processing, which a horizontally scaled service
    // does for many requests at once, not one Node thread after another. So the answer is computed
    // at once and sent at arrival + latencyMs; when the simulator's own work took longer, it is
    // sent when ready, late, and benchmarks show it. Requests that arrived together are read first
    // (one turn of the event loop), so this one's work does not postpone their arrival times.
    const latency = state.limits.latencyMs;
    if (latency > 0) await nextTurn();
    const answer = await answerFor(req, path, text);
    if (fault?.dropAnswer) {
      req.socket.destroy();
      return;
    }
    let out = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    if (fault?.truncate) out = out.slice(0, Math.max(1, Math.floor(out.length / 2)));
    if (fault?.bom) out = `\uFEFF${out}`;
    const early = arrived + latency - performance.now();
    if (early > 0) await delay(early);
    send(res, answer.status, out, { 'content-type': 'application/json;charset=UTF-8', ...answer.headers });
  }

  function answerFor(req: IncomingMessage, path: string, text: string): Answer | Promise<Answer> {
    const limited = rateLimited();
    if (limited) return limited;
    let body: Record<string, unknown> = {};
    if (text.trim() !== '') {
      try {
        const parsed: unknown = JSON.parse(text);
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
          body = parsed as Record<string, unknown>;
      } catch {
        return kgError('RESOURCE_INVALID_PARAM', 'The request body is not JSON.');
      }
    }
    const remoteIp = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const idHeader = req.headers[TRANSACTION_ID_HEADER.toLowerCase()];
    const transactionId = typeof idHeader === 'string' && idHeader !== '' ? idHeader : undefined;
    if (options.recordRequests) {
      requests.push({
        method: req.method ?? 'GET',
        path,
        ...(transactionId === undefined ? {} : { transactionId }),
        body,
      });
    }
    if (path === paths.accessToken) return issueToken(body, remoteIp);
    if (transactionId === undefined) stats.withoutTransactionId += 1;
    else if (!UUID.test(transactionId)) stats.nonUuidTransactionId += 1;
    const header = req.headers['x-knox-apitoken'];
    const key = authenticate(typeof header === 'string' ? header : undefined, remoteIp);
    if ('status' in key) return key;
    return route(req.method ?? 'GET', path, body, key, transactionId);
  }

  function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
    stats.byStatus[String(status)] = (stats.byStatus[String(status)] ?? 0) + 1;
    res.writeHead(status, {
      date: new Date(clock.now()).toUTCString(),
      'content-length': Buffer.byteLength(body),
      ...headers,
    });
    res.end(body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        send(
          res,
          500,
          JSON.stringify({ result: 'FAIL', error: { message: 'SIMULATOR_BUG', reason: String(error) } }),
          {},
        );
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}`,
    certificate,
    clientIdentifier,
    state,
    faults,
    stats,
    paths,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * A device entry with the fields real entries carry (Ranalo's model; docs/knox-api-evidence.md
 * §7): ids, status, IMEI, serial, dates, lock and agent details; no invented fields. Derived from
 * the device, so generated devices need no storage.
 */
function toApiDevice(device: SimDevice): Record<string, unknown> {
  const created = SEED_EPOCH + (hashOf(device.objectId) % (365 * DAY));
  const modified = device.modifiedAt ?? created + DAY;
  return {
    deviceUid: device.deviceUid,
    objectId: device.objectId,
    ...(device.approveId === undefined ? {} : { approveId: device.approveId }),
    status: device.status,
    ...(/^\d{15}$/.test(device.deviceUid) ? { imei: device.deviceUid } : {}),
    serial: `R58${device.objectId.slice(-8)}`,
    simControlEnabled: device.simControlEnabled,
    model: device.model,
    createDate: new Date(created).toISOString(),
    modifiedDate: new Date(modified).toISOString(),
    lastSeen: new Date(modified).toISOString(),
    ...(device.lockedAt === undefined ? {} : { relockTimestamp: new Date(device.lockedAt).toISOString() }),
    isOfflineLocked: false,
    agentVersion: '1.4.12',
    firmwareVersion: 'A156BXXU1AXE1',
    licenseExpiryDate: new Date(created + 365 * DAY).toISOString(),
  };
}

const DAY = 24 * 3600_000;
const SEED_EPOCH = Date.UTC(2025, 0, 1);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function hashOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** A six-digit PIN derived from `seed` (the same device and challenge, the same PIN). */
function pinOf(seed: string): string {
  return String(hashOf(seed) % 1_000_000).padStart(6, '0');
}

type RouteKind =
  | {
      type:
        | 'authorization'
        | 'deviceList'
        | 'transaction'
        | 'simControlData'
        | 'uploads'
        | 'getPin'
        | 'offlineDeviceLockPin'
        | 'licenseList'
        | 'licenseRegister'
        | 'licenseDelete';
    }
  | { type: 'sync' | 'async'; operation: DeviceOperation };

interface Route {
  methods: readonly string[];
  kind: RouteKind;
}

/** Every served path with its methods, built from the one path table so client and simulator agree. */
function routeTable(paths: KnoxPaths, unverified: boolean): Map<string, Route> {
  const table = new Map<string, Route>([
    [paths.authorization, { methods: ['GET'], kind: { type: 'authorization' } }],
    [paths.deviceList, { methods: ['POST'], kind: { type: 'deviceList' } }],
    [paths.transaction, { methods: ['POST'], kind: { type: 'transaction' } }],
    [paths.simControlData, { methods: ['GET', 'PUT'], kind: { type: 'simControlData' } }],
    [paths.deviceUploads, { methods: ['POST', 'GET'], kind: { type: 'uploads' } }],
    [paths.getPin, { methods: ['POST'], kind: { type: 'getPin' } }],
    [paths.offlineDeviceLockPin, { methods: ['POST'], kind: { type: 'offlineDeviceLockPin' } }],
  ]);
  for (const [operation, operationPaths] of Object.entries(paths.operations) as [
    PathOperation,
    { sync: string; async?: string },
  ][]) {
    table.set(operationPaths.sync, { methods: ['POST'], kind: { type: 'sync', operation } });
    if (operationPaths.async)
      table.set(operationPaths.async, { methods: ['POST'], kind: { type: 'async', operation } });
  }
  if (unverified) {
    const u = paths.unverified;
    table.set(u.licenseList, { methods: ['GET'], kind: { type: 'licenseList' } });
    table.set(u.licenseRegister, { methods: ['POST'], kind: { type: 'licenseRegister' } });
    table.set(u.licenseDelete, { methods: ['POST'], kind: { type: 'licenseDelete' } });
    table.set(u.accept, { methods: ['POST'], kind: { type: 'sync', operation: 'accept' } });
    table.set(u.acceptAsync, { methods: ['POST'], kind: { type: 'async', operation: 'accept' } });
    table.set(u.cancelCompleteAsync, {
      methods: ['POST'],
      kind: { type: 'async', operation: 'cancelComplete' },
    });
  }
  return table;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Devices a bulk request applies between two turns of the event loop when a latency is set. */
const BULK_SLICE = 250;

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
