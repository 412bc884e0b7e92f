import { DEVICE_ADDRESS_FIELDS, Evidence, OPERATION_RULES } from './operationRules';
import {
  ASYNC_ID_LIST_FIELD,
  KNOX_API_PREFIX,
  KNOX_PATHS,
  type KnoxPaths,
  TRANSACTION_ID_HEADER,
} from './paths';

/**
 * One request the client (or an operator's check) can make, as far as the evidence shows it.
 * `id` is stable (`<pathKey>:<METHOD>`): the tenant check prints one line per row under it.
 */
export interface KnoxContractRow {
  readonly id: string;
  /** Dotted key into `KNOX_PATHS` (`operations.lock.async`, `unverified.licenseList`). */
  readonly pathKey: string;
  readonly method: 'GET' | 'POST' | 'PUT';
  /** Body fields (`name?` optional, `a | b` one of). */
  readonly request: string;
  /** The answer's shape on success. */
  readonly answer: string;
  readonly evidence: Evidence;
  /** Called by the client only when opted in (no source at all). */
  readonly unverified?: boolean;
  readonly note?: string;
}

const address = `${DEVICE_ADDRESS_FIELDS.join(' | ')}`;
const syncAnswer = '{result, objectId?, requestedId?}';
const asyncAnswer = `{result, transactionId?} (handle: transactionId if present, else the ${TRANSACTION_ID_HEADER} sent)`;

function fieldsOf(operation: keyof typeof OPERATION_RULES): string[] {
  return Object.entries(OPERATION_RULES[operation].fields).map(([name, field]) => {
    const limit = 'maxLength' in field && field.maxLength !== undefined ? ` <=${field.maxLength}` : '';
    return `${name}${field.required ? '' : '?'}: ${field.type}${limit}`;
  });
}

function operationRows(): KnoxContractRow[] {
  const rows: KnoxContractRow[] = [];
  for (const operation of Object.keys(OPERATION_RULES) as (keyof typeof OPERATION_RULES)[]) {
    const rule = OPERATION_RULES[operation];
    const fields = fieldsOf(operation);
    rows.push({
      id: `operations.${operation}.sync:POST`,
      pathKey: `operations.${operation}.sync`,
      method: 'POST',
      request: [address, ...fields].join(', '),
      answer: syncAnswer,
      evidence: rule.evidence.sync,
    });
    if ('async' in rule.evidence) {
      rows.push({
        id: `operations.${operation}.async:POST`,
        pathKey: `operations.${operation}.async`,
        method: 'POST',
        request: [`${ASYNC_ID_LIST_FIELD}: string[]`, ...fields].join(', '),
        answer: asyncAnswer,
        evidence: rule.evidence.async,
        note: `id-list field "${ASYNC_ID_LIST_FIELD}": 1 client (PyKnox); request shape not documented`,
      });
    }
  }
  return rows;
}

/**
 * Every Knox Guard request with its method, body fields, answer and evidence level (official /
 * 2+ clients / 1 client / assumed), from docs/knox-api-evidence.md. Every `KNOX_PATHS` entry has
 * at least one row and every row names an entry (a test keeps them in step);
 * docs/knox-api-contract.md is rendered from it by `renderKnoxContract`.
 *
 * @example
 * KNOX_CONTRACT.find((row) => row.id === 'transaction:POST')?.evidence; // 'official'
 */
export const KNOX_CONTRACT: readonly KnoxContractRow[] = [
  {
    id: 'accessToken:POST',
    pathKey: 'accessToken',
    method: 'POST',
    request: 'clientIdentifierJwt, base64EncodedStringPublicKey, validityForAccessTokenInMinutes?',
    answer: '{accessToken}',
    evidence: Evidence.official,
    note: 'Knox Cloud Authentication; errors {code, message, data}, possibly one-element arrays (KBA-1242)',
  },
  {
    id: 'authorization:GET',
    pathKey: 'authorization',
    method: 'GET',
    request: '(none)',
    answer: '{result, user: {companyName, country, email, name, phoneNumber}}',
    evidence: Evidence.clients,
  },
  {
    id: 'deviceList:POST',
    pathKey: 'deviceList',
    method: 'POST',
    request: 'pageNum (from 0), pageSize, search?, sortBy?, sortOrder?, filter?',
    answer:
      '{result, totalCount, deviceList: [{deviceUid, objectId, approveId?, status, imei?, imei2?, serial?, createDate?, modifiedDate?, lastSeen?, ...}]}',
    evidence: Evidence.clients,
    note: 'largest pageSize not documented',
  },
  {
    id: 'device:GET',
    pathKey: 'device',
    method: 'GET',
    request: '(none; deviceUid in the path)',
    answer: '{result, device: {deviceUid, objectId, status, ...}}',
    evidence: Evidence.clients,
    note: 'renamed to a PAYG lookup in 26.10; the client reads devices through the list',
  },
  {
    id: 'deviceUploads:POST',
    pathKey: 'deviceUploads',
    method: 'POST',
    request:
      'deviceList: [{deviceUid, approveId?}], autoAccept, autoLock?, applySimControl?, enableBlockFactoryReset?, blockDOProvision?, blockADBCommand?',
    answer:
      '{result, uploadId, uploadStatus, totalDeviceCount, validDeviceCount, invalidDeviceCount, invalidReasons[]}',
    evidence: Evidence.clients,
    note: 'the client does not call it',
  },
  {
    id: 'deviceUploads:GET',
    pathKey: 'deviceUploads',
    method: 'GET',
    request: '(none)',
    answer: '{result, uploadList: [...]} (upload status; shape assumed)',
    evidence: Evidence.clients,
    note: 'the client does not call it',
  },
  {
    id: 'getPin:POST',
    pathKey: 'getPin',
    method: 'POST',
    request: address,
    answer: '{result, lockPin}',
    evidence: Evidence.clients,
    note: 'the client does not call it',
  },
  {
    id: 'offlineDeviceLockPin:POST',
    pathKey: 'offlineDeviceLockPin',
    method: 'POST',
    request: `${address}, challenge`,
    answer: '{result, pinNumber: [...]}',
    evidence: Evidence.clients,
    note: 'the client does not call it',
  },
  {
    id: 'transaction:POST',
    pathKey: 'transaction',
    method: 'POST',
    request: `transactionId (also as header ${TRANSACTION_ID_HEADER})`,
    answer: '{count, success, fail, resultList: [{result, requestedId, error?}]} (no status)',
    evidence: Evidence.official,
    note: 'request shape not documented (assumed); finished when the results cover every id sent',
  },
  {
    id: 'simControlData:GET',
    pathKey: 'simControlData',
    method: 'GET',
    request: '(none)',
    answer: '{result, ...policy}',
    evidence: Evidence.official,
  },
  {
    id: 'simControlData:PUT',
    pathKey: 'simControlData',
    method: 'PUT',
    request: 'policy fields',
    answer: '{result}',
    evidence: Evidence.official,
    note: 'the client does not call it',
  },
  ...operationRows(),
  {
    id: 'unverified.accept:POST',
    pathKey: 'unverified.accept',
    method: 'POST',
    request: address,
    answer: syncAnswer,
    evidence: Evidence.assumed,
    unverified: true,
    note: 'never called: the client sends approve for accept',
  },
  {
    id: 'unverified.acceptAsync:POST',
    pathKey: 'unverified.acceptAsync',
    method: 'POST',
    request: `${ASYNC_ID_LIST_FIELD}: string[]`,
    answer: asyncAnswer,
    evidence: Evidence.assumed,
    unverified: true,
    note: 'never called: the client sends approveAsync for accept',
  },
  {
    id: 'unverified.cancelCompleteAsync:POST',
    pathKey: 'unverified.cancelCompleteAsync',
    method: 'POST',
    request: `${ASYNC_ID_LIST_FIELD}: string[]`,
    answer: asyncAnswer,
    evidence: Evidence.assumed,
    unverified: true,
    note: 'never called: bulk cancelComplete runs one sync call per device',
  },
  {
    id: 'unverified.licenseList:GET',
    pathKey: 'unverified.licenseList',
    method: 'GET',
    request: '(none)',
    answer: '{result, licenseList: [{licenseKey, name, type, totalSeats, usedSeats, expiresAt?}]}',
    evidence: Evidence.assumed,
    unverified: true,
    note: 'opt-in: KNOX_UNVERIFIED_LICENCE_API=true',
  },
  {
    id: 'unverified.licenseRegister:POST',
    pathKey: 'unverified.licenseRegister',
    method: 'POST',
    request: 'name, licenseKey',
    answer: '{result, license}',
    evidence: Evidence.assumed,
    unverified: true,
    note: 'opt-in: KNOX_UNVERIFIED_LICENCE_API=true',
  },
  {
    id: 'unverified.licenseDelete:POST',
    pathKey: 'unverified.licenseDelete',
    method: 'POST',
    request: 'licenseKey',
    answer: '{result}',
    evidence: Evidence.assumed,
    unverified: true,
    note: 'opt-in: KNOX_UNVERIFIED_LICENCE_API=true',
  },
];

/**
 * Every `[pathKey, path]` of a path table, in table order (the keys `KNOX_CONTRACT` rows name).
 *
 * @example
 * pathEntries(KNOX_PATHS)[0]; // ['accessToken', '/ams/v1/users/accesstoken']
 */
export function pathEntries(paths: KnoxPaths = KNOX_PATHS): [string, string][] {
  const entries: [string, string][] = [];
  const walk = (node: object, prefix: string): void => {
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === 'string') entries.push([`${prefix}${key}`, value]);
      else if (typeof value === 'object' && value !== null) walk(value, `${prefix}${key}.`);
    }
  };
  walk(paths, '');
  return entries;
}

/**
 * The path a contract row names, in `paths`.
 *
 * @example
 * contractPath(KNOX_CONTRACT[0]); // '/ams/v1/users/accesstoken'
 */
export function contractPath(row: KnoxContractRow, paths: KnoxPaths = KNOX_PATHS): string | undefined {
  return pathEntries(paths).find(([key]) => key === row.pathKey)?.[1];
}

const cell = (text: string): string => text.replaceAll('|', '\\|').replace(/\s+/g, ' ');

/**
 * Renders docs/knox-api-contract.md from `KNOX_CONTRACT` (pure, so a test compares it with the file).
 *
 * @example
 * await writeFile('docs/knox-api-contract.md', renderKnoxContract());
 */
export function renderKnoxContract(): string {
  const lines = [
    '# Knox Guard API contract',
    '',
    '<!-- Generated from lib/knox/contract.ts by `npm run docs:knox`. Do not edit by hand. -->',
    '',
    'Every request knox-guard-sentinel (and the local simulator) knows, with the evidence for it',
    '(from `docs/knox-api-evidence.md`): **official** (a docs.samsungknox.com page), **2+ clients**',
    '(independent codebases that call the live API), **1 client**, **assumed** (no source; our guess).',
    `Paths are relative to the API prefix \`${KNOX_API_PREFIX}\` (configurable: \`apiPrefix\`, e.g.`,
    "`/kcs/v1.1/kg-integration` for Samsung's test environment), except the token request.",
    '',
    `Every request carries a client-generated UUID in \`${TRANSACTION_ID_HEADER}\` (logged with the path).`,
    `An \`...Async\` body carries the ids as an array under \`${ASYNC_ID_LIST_FIELD}\`; its handle is the`,
    `answer's \`transactionId\` when present, else the \`${TRANSACTION_ID_HEADER}\` sent. When an async`,
    'path answers 404/405/501 or a shape the client cannot read, the operation runs one sync call per',
    'device and raises one BULK_PATH_UNAVAILABLE warning. Unverified rows are served by the simulator',
    'and called by the client only when opted in.',
    '',
    "The unit of blink `interval` is not documented; sendMessage's 350-character limit is assumed.",
    '',
    '| Id | Method | Path | Request body | Answer | Evidence | Notes |',
    '|---|---|---|---|---|---|---|',
    ...KNOX_CONTRACT.map((row) => {
      const path = contractPath(row) ?? '?';
      const shown = path.startsWith(KNOX_API_PREFIX) ? path.slice(KNOX_API_PREFIX.length) : path;
      const notes = [row.unverified ? 'unverified, opt-in' : '', row.note ?? ''].filter(Boolean).join('; ');
      return `| ${[row.id, row.method, `\`${shown}\``, row.request, row.answer, row.evidence, notes].map(cell).join(' | ')} |`;
    }),
    '',
  ];
  return lines.join('\n');
}
