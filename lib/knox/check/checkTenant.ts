import { randomUUID } from 'node:crypto';
import { decodeBulk, KnoxGuardError } from '../../errors';
import { maskDeviceId, maskKnownIds, maskText } from '../../privacy';
import { contractPath, KNOX_CONTRACT, type KnoxContractRow } from '../contract';
import { KnoxHttp } from '../KnoxHttp';
import { KnoxTokenProvider } from '../KnoxTokenProvider';
import { nodeHttpTransport } from '../nodeHttpTransport';
import { parseCertificate } from '../parseCertificate';
import {
  ASYNC_ID_LIST_FIELD,
  KNOX_API_PREFIX,
  knoxPaths,
  TRANSACTION_ID_HEADER,
  withoutTrailingSlashes,
} from '../paths';
import { toKnoxDevice, toKnoxLicense } from '../toKnoxDevice';
import { validateOperation } from '../validateOperation';
import { describeShape } from './describeShape';
import { type RecordedExchange, recordingTransport } from './recordingTransport';
import {
  type CheckOperation,
  type CheckRow,
  CheckStatus,
  type TenantCheckDeps,
  type TenantCheckOptions,
  type TenantCheckReport,
} from './types';

const DEFAULTS = {
  pageSize: 5,
  transactionTimeoutMs: 120_000,
  requestTimeoutMs: 15_000,
  /** One retry: a check should see what the tenant answers, not hide it behind backoff. */
  maxAttempts: 2,
  firstPollMs: 1_000,
  maxPollMs: 10_000,
} as const;
/** HTTP statuses that say the path or method is not served (the client's async fallback set). */
const PATH_MISSING = new Set([404, 405, 501]);
/** `status` values that mean "not finished" when a transaction answer carries one (as the client reads it). */
const RUNNING_STATES = new Set(['IN_PROGRESS', 'PROCESSING', 'RUNNING', 'PENDING', 'QUEUED', 'STARTED']);

const HINTS = {
  prefix:
    'the path or method is not served under this prefix: try --api-prefix /kcs/v1.1/kg-integration (test environment) and set the stage param knoxApiPrefix to the one that passes; a path that differs under every prefix is one line in KNOX_PATHS (lib/knox/paths.ts)',
  asyncPath: `the bulk path is not served: the service still works (per-device sync calls, one BULK_PATH_UNAVAILABLE warning per run), only slower; if --api-prefix does not help, report the path Samsung support gives for it in KNOX_PATHS (lib/knox/paths.ts)`,
  idList: `Knox refused the async body: the id list is sent under "${ASYNC_ID_LIST_FIELD}" (ASYNC_ID_LIST_FIELD in lib/knox/paths.ts); change that constant to the field Samsung support names`,
  transaction:
    'the transaction answer could not be read as {count, success, fail, resultList}: the client falls back to per-device calls; correct the transaction reading in lib/knox/executeOperation.ts with this shape',
  notCovered: `the results never named the device: the tenant may key transactions by its own id (see handleSource) or expect another id-list field than "${ASYNC_ID_LIST_FIELD}" (ASYNC_ID_LIST_FIELD in lib/knox/paths.ts); rerun with a longer --timeout first`,
  requestRefused:
    'Knox refused the request body: compare the request fields of this row in docs/knox-api-contract.md with what Samsung support names and correct OPERATION_RULES / the client',
  answer:
    'the answer lacks what the client reads: correct the reading in lib/knox (toKnoxDevice, createKnoxClient) to this shape',
  licences:
    'keep the stage param knoxUnverifiedLicenceApi "false" (licence-health then reports itself unavailable); the licence paths are unverified',
  token:
    'check --client-id and the certificate (the API key of this certificate.json, not expired or revoked in the Knox API portal), the host (--region / --base-url) and the machine clock',
} as const;

type RowState = CheckRow;
type Judge = (body: unknown) => string[];

/**
 * Checks a real Knox Guard tenant against `KNOX_CONTRACT` before schedules are enabled, with the
 * client's own pieces (`KnoxHttp`, `KnoxTokenProvider`, the path table, the decoder) over a
 * recording transport, so each row sees both the client's reading and the raw answer. Read-only by
 * default: the token request, `GET /authorization`, one small page of `devices/list`,
 * `GET /policy/simControlData` (and the unverified licence list with `licences`). With `device`, it
 * also runs ONE `sendMessage` (default: a one-off notice that changes no device state and shows no
 * contact; blink starts a repeating reminder and needs a contact on screen) through the `...Async`
 * path with the id list under `ASYNC_ID_LIST_FIELD`, and polls its `/transaction` until the results
 * name the device or `transactionTimeoutMs` passes.
 *
 * Every contract row gets one `CheckRow`: rows not called are `skipped`. Nothing a tenant answers
 * throws (HTML 502 pages, refused connections, timeouts, token-service errors in either envelope
 * form, 404s): it becomes a row `error` or `differs`. Only a certificate that cannot be parsed
 * throws, `KnoxCertificateError`, before any request. Answers are stored as shapes
 * (`describeShape`), error reasons with ids masked (`maskText`); the access token and keys are
 * never in the report.
 *
 * Facts and sources: docs/knox-api-evidence.md via docs/knox-api-contract.md.
 *
 * @example
 * const report = await checkTenant({ baseUrl: KNOX_REGIONS.eu, clientIdentifier, certificate }, {});
 * report.rows.find((row) => row.id === 'deviceList:POST')?.status; // 'pass'
 */
export async function checkTenant(
  options: TenantCheckOptions,
  deps: TenantCheckDeps = {},
): Promise<TenantCheckReport> {
  const clock = deps.clock ?? { now: () => Date.now() };
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const progress = deps.progress ?? (() => {});
  const startedAt = new Date(clock.now()).toISOString();
  const credentials = parseCertificate(options.certificate);
  const apiPrefix = options.apiPrefix ?? KNOX_API_PREFIX;
  const paths = knoxPaths(apiPrefix);
  const baseUrl = withoutTrailingSlashes(options.baseUrl);
  const newTransactionId = deps.newTransactionId ?? randomUUID;
  const { transport, exchanges } = recordingTransport(deps.transport ?? nodeHttpTransport());
  const http = new KnoxHttp({
    baseUrl,
    transport,
    clock,
    sleep,
    random: deps.random ?? Math.random,
    maxAttempts: DEFAULTS.maxAttempts,
    baseDelayMs: 200,
    maxDelayMs: 2_000,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    newTransactionId,
  });
  const tokens = new KnoxTokenProvider({
    credentials,
    clientIdentifier: options.clientIdentifier,
    clock,
    issue: http.tokenIssuer(paths.accessToken),
  });
  http.useTokens(tokens);

  const rows = new Map<string, RowState>(
    KNOX_CONTRACT.map((row) => [row.id, skippedRow(row, contractPath(row, paths) ?? '?', skipReason(row))]),
  );
  const row = (id: string): RowState => rows.get(id) as RowState;

  /** Runs one call for row `id` and records what came back; resolves with the decoded body or undefined. */
  async function probe(
    id: string,
    call: () => Promise<unknown>,
    judge: Judge,
    hint?: string,
  ): Promise<unknown> {
    const state = row(id);
    const mark = exchanges.length;
    let body: unknown;
    try {
      body = await call();
    } catch (error) {
      describeAnswer(state, exchanges.slice(mark).at(-1));
      failRow(state, error, hint, [options.device?.deviceUid]);
      return undefined;
    }
    describeAnswer(state, exchanges.slice(mark).at(-1));
    const problems = judge(body);
    if (problems.length > 0) {
      state.status = CheckStatus.differs;
      state.detail = maskText(problems.join('; '));
      state.hint = hint ?? HINTS.answer;
      return undefined;
    }
    state.status = CheckStatus.pass;
    delete state.detail;
    return body;
  }

  // 1. The token: without it nothing else can run.
  const tokenRow = row('accessToken:POST');
  const token = await probe(
    'accessToken:POST',
    () => tokens.apiToken(),
    () => [],
    HINTS.token,
  );
  if (token === undefined) {
    tokenRow.hint = [HINTS.token, tokenRow.hint].filter(Boolean).join('; ');
    for (const state of rows.values()) {
      if (state.detail === PENDING) state.detail = 'not run: no access token';
    }
  } else {
    await probe(
      'authorization:GET',
      () => http.call({ method: 'GET', path: paths.authorization, auth: true }),
      (body) => (isObject(body) && isObject(body.user) ? [] : ['the answer has no user object']),
    );
    const pageSize = options.pageSize ?? DEFAULTS.pageSize;
    await probe(
      'deviceList:POST',
      () => http.call({ method: 'POST', path: paths.deviceList, body: { pageNum: 0, pageSize }, auth: true }),
      (body) => judgeDeviceList(body, pageSize),
    );
    await probeSimControl();
    if (options.licences) {
      await probe(
        'unverified.licenseList:GET',
        () => http.call({ method: 'GET', path: paths.unverified.licenseList, auth: true }),
        judgeLicences,
        HINTS.licences,
      );
      const licences = row('unverified.licenseList:GET');
      if (licences.status === CheckStatus.pass) {
        licences.detail = 'the licence list answers as assumed: knoxUnverifiedLicenceApi "true" may be set';
      } else licences.hint = HINTS.licences;
    }
    if (options.device) await probeAsync(options.device.deviceUid, options.device.operation ?? 'sendMessage');
  }
  for (const state of rows.values()) {
    if (state.detail !== PENDING) continue;
    const chosen = options.device?.operation ?? 'sendMessage';
    state.detail = state.id.startsWith('unverified.')
      ? 'not run: unverified path (add --licences to read the licence list)'
      : options.device && state.id.startsWith('operations.')
        ? `not run: the check ran ${chosen} (--operation)`
        : 'not run: read-only run (add --device <deviceUid> for one async operation and its transaction)';
  }

  const list = [...rows.values()];
  const count = (status: CheckStatus): number => list.filter((r) => r.status === status).length;
  const summary = {
    pass: count(CheckStatus.pass),
    differs: count(CheckStatus.differs),
    error: count(CheckStatus.error),
    skipped: count(CheckStatus.skipped),
  };
  return {
    tool: 'knox-check',
    startedAt,
    finishedAt: new Date(clock.now()).toISOString(),
    target: {
      baseUrl,
      apiPrefix,
      clientIdentifier: maskDeviceId(options.clientIdentifier),
      credentials: options.credentialsSource ?? 'certificate',
    },
    ...(options.device
      ? {
          device: maskDeviceId(options.device.deviceUid),
          operation: options.device.operation ?? 'sendMessage',
        }
      : {}),
    rows: list,
    summary,
    exitCode: summary.differs + summary.error === 0 && summary.pass > 0 ? 0 : 1,
  };

  /** No SIM control policy is a documented tenant state (4120000), not a contract difference. */
  async function probeSimControl(): Promise<void> {
    const id = 'simControlData:GET';
    await probe(
      id,
      () => http.call({ method: 'GET', path: paths.simControlData, auth: true }),
      (body) => (isObject(body) ? [] : ['the answer is not a JSON object']),
    );
    const state = row(id);
    if (state.status === CheckStatus.error && state.detail?.startsWith('PRECONDITION_FAILED_EXCEPTION')) {
      state.status = CheckStatus.pass;
      state.detail =
        'no SIM control policy configured (4120000 PRECONDITION_FAILED_EXCEPTION, as documented): locks of SIM-control devices will fail until one is set in the Knox Guard console';
      delete state.hint;
    }
  }

  async function probeAsync(deviceUid: string, operation: CheckOperation): Promise<void> {
    const submitId = `operations.${operation}.async:POST`;
    const transactionId = 'transaction:POST';
    const asyncPath = paths.operations[operation].async as string;
    let params: Record<string, unknown>;
    try {
      params = { ...validateOperation(operation, [deviceUid], options.device?.params) };
    } catch (error) {
      failRow(row(submitId), error, undefined, [deviceUid]);
      return;
    }
    const sent = newTransactionId();
    const submitted = await probe(
      submitId,
      () =>
        http.call({
          method: 'POST',
          path: asyncPath,
          body: { [ASYNC_ID_LIST_FIELD]: [deviceUid], ...params },
          transactionId: sent,
          auth: true,
        }),
      (body) => {
        if (!isObject(body)) return ['the answer is not a JSON object'];
        const answered = body.transactionId;
        if (answered !== undefined && typeof answered !== 'string' && typeof answered !== 'number')
          return ['transactionId is neither a string nor a number'];
        return [];
      },
      HINTS.idList,
    );
    const submit = row(submitId);
    if (submit.status !== CheckStatus.pass) {
      const missing = submit.httpStatus !== undefined && PATH_MISSING.has(submit.httpStatus);
      if (missing) submit.hint = HINTS.asyncPath;
      else if (submit.status === CheckStatus.differs && submit.detail?.startsWith('RESOURCE_INVALID_PARAM'))
        submit.hint = HINTS.idList;
      row(transactionId).detail = `not run: ${submitId} did not pass`;
      return;
    }
    const answered = (submitted as { transactionId?: unknown }).transactionId;
    const fromAnswer = answered !== undefined && answered !== '';
    const handle = fromAnswer ? String(answered) : sent;
    submit.findings = {
      idListField: ASYNC_ID_LIST_FIELD,
      handleSource: fromAnswer ? 'answer transactionId' : `sent ${TRANSACTION_ID_HEADER}`,
    };
    submit.detail = fromAnswer
      ? 'the answer names its own transactionId: the client uses it as the handle'
      : `no transactionId in the answer: the handle is the ${TRANSACTION_ID_HEADER} sent (as the client does)`;

    const until = clock.now() + (options.transactionTimeoutMs ?? DEFAULTS.transactionTimeoutMs);
    const statuses = new Set<string>();
    let polls = 0;
    let wait: number = DEFAULTS.firstPollMs;
    let deviceResult = '';
    const poll = row(transactionId);
    for (;;) {
      polls += 1;
      let covered = false;
      let running = false;
      const body = await probe(
        transactionId,
        () =>
          http.call({
            method: 'POST',
            path: paths.transaction,
            body: { transactionId: handle },
            transactionId: handle,
            auth: true,
          }),
        (answer) => {
          if (!isObject(answer)) return ['the answer is not a JSON object'];
          if (answer.resultList !== undefined && !Array.isArray(answer.resultList))
            return ['resultList is not a list'];
          return [];
        },
        HINTS.transaction,
      );
      if (body === undefined) break;
      const record = body as { status?: unknown };
      if (record.status !== undefined) statuses.add(String(record.status));
      running = typeof record.status === 'string' && RUNNING_STATES.has(record.status.toUpperCase());
      const result = decodeBulk(body, [deviceUid]).results.find((r) => r.requestedId === deviceUid);
      if (result) {
        covered = true;
        deviceResult = result.ok ? 'SUCCESS' : `${result.error.codeName} (${result.error.code})`;
      }
      if (covered && !running) {
        poll.detail = result?.ok
          ? `the results named the device after ${polls} poll(s): ${operation} succeeded`
          : `the results named the device after ${polls} poll(s): ${operation} failed on the device with ${maskText(deviceResult)} (the contract holds; the device may not be in a state that takes it)`;
        break;
      }
      if (clock.now() + wait >= until) {
        poll.status = CheckStatus.differs;
        poll.detail = `the results did not name the device after ${polls} poll(s)${running ? ` (status still ${String(record.status)})` : ''}`;
        poll.hint = HINTS.notCovered;
        break;
      }
      progress(`${transactionId}: poll ${polls}, no result for the device yet; next in ${wait} ms`);
      await sleep(wait);
      wait = Math.min(DEFAULTS.maxPollMs, Math.ceil(wait * 1.5));
    }
    poll.findings = {
      handleSource: fromAnswer ? 'answer transactionId' : `sent ${TRANSACTION_ID_HEADER}`,
      statusField: statuses.size === 0 ? 'absent' : [...statuses].join(', '),
      polls,
      ...(deviceResult === '' ? {} : { deviceResult }),
    };
  }
}

const PENDING = 'pending';

function skippedRow(row: KnoxContractRow, path: string, detail: string): RowState {
  return {
    id: row.id,
    method: row.method,
    path,
    expected: row.answer,
    status: CheckStatus.skipped,
    detail,
  };
}

/** Why a row is not called: writes, unverified paths, paths the client never calls. */
function skipReason(row: KnoxContractRow): string {
  if (['accessToken:POST', 'authorization:GET', 'deviceList:POST', 'simControlData:GET'].includes(row.id))
    return PENDING;
  if (row.id === 'unverified.licenseList:GET') return PENDING;
  if (row.id === 'transaction:POST' || /^operations\.(sendMessage|blink)\.async:POST$/.test(row.id))
    return PENDING;
  if (row.note?.includes('does not call') || row.note?.includes('never called'))
    return 'not run: the client does not call it';
  if (row.unverified) return 'not run: unverified, and it writes';
  if (row.id === 'device:GET') return 'not run: the client reads devices through devices/list';
  return 'not run: it writes (the check runs only one harmless async operation, with --device)';
}

function describeAnswer(state: RowState, exchange: RecordedExchange | undefined): void {
  if (exchange === undefined) {
    delete state.httpStatus;
    state.answer = 'no request sent';
    return;
  }
  if (exchange.status === undefined) {
    delete state.httpStatus;
    state.answer = `no answer (${exchange.failure?.kind ?? 'transport'}: ${maskText(exchange.failure?.message ?? '')})`;
    return;
  }
  state.httpStatus = exchange.status;
  const text = exchange.body ?? '';
  if (text.trim() === '') {
    state.answer = 'empty body';
    return;
  }
  try {
    state.answer = describeShape(JSON.parse(text));
  } catch {
    const kind = /<html|<!doctype/i.test(text) ? 'html' : 'text';
    state.answer = `${kind} (${exchange.contentType ?? 'no content-type'}, ${Buffer.byteLength(text)} bytes)`;
  }
}

/**
 * A failure of the row's call: `differs` when the tenant answered but not as expected, else
 * `error`. The device the check was given (`knownIds`) and the failure's requestedId are masked
 * inside Knox's reason by value: a bare serial is no word `maskText` can find.
 */
function failRow(
  state: RowState,
  error: unknown,
  hint?: string,
  knownIds: readonly (string | undefined)[] = [],
): void {
  const mask = (text: string) =>
    maskText(
      maskKnownIds(text, [...knownIds, error instanceof KnoxGuardError ? error.requestedId : undefined]),
    );
  if (!(error instanceof KnoxGuardError)) {
    state.status = CheckStatus.error;
    state.detail = mask(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    return;
  }
  const received = error.receivedStatus;
  const answeredWrong =
    PATH_MISSING.has(received) ||
    error.codeName === 'RESOURCE_INVALID_PARAM' ||
    (error.codeName === 'MALFORMED_RESPONSE' && received >= 200 && received <= 299);
  state.status = answeredWrong ? CheckStatus.differs : CheckStatus.error;
  state.detail = mask(
    `${error.codeName} (${error.code}, HTTP ${received === 0 ? 'none' : received}): ${error.reason}`,
  );
  if (PATH_MISSING.has(received)) state.hint = HINTS.prefix;
  else if (error.codeName === 'RESOURCE_INVALID_PARAM') state.hint = hint ?? HINTS.requestRefused;
  else if (answeredWrong) state.hint = hint ?? HINTS.answer;
  else if (error.remediation) state.hint = maskText(error.remediation);
}

function judgeDeviceList(body: unknown, pageSize: number): string[] {
  if (!isObject(body)) return ['the answer is not a JSON object'];
  const problems: string[] = [];
  if (typeof body.totalCount !== 'number') problems.push('totalCount is not a number');
  if (!Array.isArray(body.deviceList)) return [...problems, 'deviceList is not a list'];
  if (body.deviceList.length > pageSize)
    problems.push(`${body.deviceList.length} entries for pageSize ${pageSize}`);
  const unreadable = body.deviceList.filter((entry) => !reads(() => toKnoxDevice(entry))).length;
  if (unreadable > 0) problems.push(`${unreadable} entries lack deviceUid, objectId or status`);
  return problems;
}

function judgeLicences(body: unknown): string[] {
  if (!isObject(body) || !Array.isArray(body.licenseList)) return ['the answer has no licenseList'];
  const unreadable = body.licenseList.filter((entry) => !reads(() => toKnoxLicense(entry))).length;
  return unreadable > 0 ? [`${unreadable} licence entries lack licenseKey`] : [];
}

function reads(read: () => unknown): boolean {
  try {
    read();
    return true;
  } catch {
    return false;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
