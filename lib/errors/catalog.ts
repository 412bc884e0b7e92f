import { Actor, Category, Scope, Severity } from './constants';

/** One row of the Knox Guard troubleshooting table, with the classification we route on. */
export interface KnoxCodeEntry {
  /** The Knox Guard code as a decimal string (the API documents it as a string, sends numbers too). */
  readonly code: string;
  /** The symbolic name Knox Guard sends in `error.message`. */
  readonly codeName: string;
  /** The HTTP status the code comes with (its first three digits). */
  readonly httpStatus: number;
  /** What the code means, in words an admin understands. */
  readonly description: string;
  readonly category: Category;
  readonly severity: Severity;
  /** Whether sending the same request again later can succeed without anyone acting. */
  readonly retryable: boolean;
  /** Whether a person must do something for the condition to clear. */
  readonly actionable: boolean;
  readonly scope: Scope;
  readonly actor: Actor;
  /** One line an admin can follow. */
  readonly remediation: string;
}

const entries = [
  {
    code: '4010000',
    codeName: 'AUTHORIZATION_FAIL',
    httpStatus: 401,
    description: 'The API token was rejected: the key is invalid, revoked or the token expired.',
    category: Category.auth,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation:
      'Check the Knox Guard API key (certificate.json and client identifier) in Secrets Manager; regenerate it in the Knox Admin Portal if it was revoked.',
  },
  {
    code: '4002102',
    codeName: 'API_KEY_RESTRICTION_INVALID',
    httpStatus: 400,
    description:
      'The API key has an IP restriction that the calling address does not satisfy or that is malformed.',
    category: Category.auth,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation:
      "The stack has no fixed egress address: remove the API key's IP restriction in the Knox Admin Portal, or add a VPC with a NAT gateway and allow its Elastic IPs (docs/operator-guide.md).",
  },
  {
    code: '4042101',
    codeName: 'API_KEY_RESTRICTION_NOT_FOUND',
    httpStatus: 404,
    description: 'The access restriction configured for the API key could not be found.',
    category: Category.auth,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation: 'Re-create the API key restriction (or the key itself) in the Knox Admin Portal.',
  },
  {
    code: '4040100',
    codeName: 'USER_NOT_FOUND',
    httpStatus: 404,
    description: 'The Knox user that owns the API key does not exist.',
    category: Category.account,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation: 'Issue a new API key from an existing Knox Guard admin account and update the secret.',
  },
  {
    code: '4040900',
    codeName: 'TENANT_NOT_FOUND',
    httpStatus: 404,
    description:
      'The Knox tenant (customer account) for this key does not exist or has no Knox Guard service.',
    category: Category.account,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation: 'Verify the region (US/EU base URL) and that the tenant is signed up for Knox Guard.',
  },
  {
    code: '4000000',
    codeName: 'RESOURCE_INVALID_PARAM',
    httpStatus: 400,
    description: 'A request parameter is missing or invalid (device id, message length, contact, page).',
    category: Category.request,
    severity: Severity.warning,
    retryable: false,
    actionable: true,
    scope: Scope.device,
    actor: Actor.developer,
    remediation: "Fix the job's input (device ids, message, contact fields); the reason names the parameter.",
  },
  {
    code: '4001809',
    codeName: 'LICENSE_IS_LACK',
    httpStatus: 400,
    description: 'The tenant has no free Knox Guard licence seats left for this operation.',
    category: Category.license,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation: 'Add or extend Knox Guard licences in the Knox Admin Portal, then re-run the job.',
  },
  {
    code: '4040300',
    codeName: 'DEVICE_NOT_FOUND',
    httpStatus: 404,
    description: 'The device id is not registered in Knox Guard for this tenant.',
    category: Category.device,
    severity: Severity.warning,
    retryable: false,
    actionable: true,
    scope: Scope.device,
    actor: Actor.billingOps,
    remediation:
      'Check the device id in the billing system; upload the device to Knox Guard if it is missing.',
  },
  {
    code: '4000310',
    codeName: 'DEVICE_STATE_INVALID',
    httpStatus: 400,
    description: "The operation is not allowed in the device's current state (the reason names the state).",
    category: Category.device,
    severity: Severity.info,
    retryable: false,
    actionable: false,
    scope: Scope.device,
    actor: Actor.billingOps,
    remediation:
      'Reconcile the billing record with the Knox Guard state named in the reason; no retry will help.',
  },
  {
    code: '4000316',
    codeName: 'DEVICE_BULK_OPERATION_LIMIT_EXCEEDED',
    httpStatus: 400,
    description: 'Too many devices in one bulk request.',
    category: Category.request,
    severity: Severity.info,
    retryable: true,
    actionable: false,
    scope: Scope.tenant,
    actor: Actor.developer,
    remediation:
      'Retried automatically with smaller chunks; if it keeps happening, lower bulkLimit in config.',
  },
  {
    code: '4040400',
    codeName: 'PROFILE_NOT_FOUND',
    httpStatus: 404,
    description: 'The Knox Guard profile (policy) referenced by the request does not exist.',
    category: Category.configuration,
    severity: Severity.warning,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation: 'Create the Knox Guard profile or correct the profile id in the job configuration.',
  },
  {
    code: '4001807',
    codeName: 'LICENSE_MAX_COUNT_REACHED',
    httpStatus: 400,
    description: 'The tenant has reached the maximum number of licences it may register.',
    category: Category.license,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation: 'Remove expired licences or contact your Samsung reseller to raise the licence limit.',
  },
  {
    code: '4001805',
    codeName: 'LICENSE_NAME_ALREADY_EXISTS',
    httpStatus: 400,
    description: 'A licence with this name is already registered.',
    category: Category.license,
    severity: Severity.info,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation: 'Register the licence under a different name.',
  },
  {
    code: '5001804',
    codeName: 'LICENSE_INTERNAL_SERVER_FAILED',
    httpStatus: 500,
    description: 'The Knox licence service failed internally.',
    category: Category.server,
    severity: Severity.warning,
    retryable: true,
    actionable: false,
    scope: Scope.tenant,
    actor: Actor.samsung,
    remediation: 'Retried automatically; if it persists for an hour, open a Samsung Knox support ticket.',
  },
  {
    code: '4001813',
    codeName: 'LICENSE_KEY_ALREADY_EXISTS_IN_OTHER_REGION',
    httpStatus: 400,
    description: 'The licence key is already registered in another Knox region (US/EU).',
    category: Category.license,
    severity: Severity.warning,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation:
      'Use the region where the licence is registered (base URL) or move the licence via Samsung support.',
  },
  {
    code: '4001802',
    codeName: 'LICENSE_MAX_TRIAL_LICENSE_COUNT_REACHED',
    httpStatus: 400,
    description: 'The tenant already used the maximum number of trial licences.',
    category: Category.license,
    severity: Severity.warning,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation: 'Buy a commercial Knox Guard licence; no further trial licences can be added.',
  },
  {
    code: '4041800',
    codeName: 'LICENSE_NOT_FOUND',
    httpStatus: 404,
    description: 'The licence referenced by the request does not exist.',
    category: Category.license,
    severity: Severity.warning,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation: 'Check the licence key in the Knox Admin Portal and correct the configuration.',
  },
  {
    code: '4001806',
    codeName: 'LICENSE_DEVICE_MAPPING_FOUND',
    httpStatus: 400,
    description: 'The licence still has devices assigned, so it cannot be removed or changed.',
    category: Category.license,
    severity: Severity.info,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation: 'Move or complete the devices on this licence before deleting it.',
  },
  {
    code: '4001812',
    codeName: 'LICENSE_ALREADY_DELETED',
    httpStatus: 400,
    description: 'The licence was already deleted.',
    category: Category.license,
    severity: Severity.info,
    retryable: false,
    actionable: false,
    scope: Scope.tenant,
    actor: Actor.developer,
    remediation: 'Remove the licence from the configuration: Knox Guard has already deleted it.',
  },
  {
    code: '4030102',
    codeName: 'USER_IN_INVALID_STATE',
    httpStatus: 403,
    description: 'The Knox user that owns the API key is in a state that cannot call the API.',
    category: Category.account,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation: "Check the API user's status in the Knox Admin Portal and reactivate it.",
  },
  {
    code: '4030107',
    codeName: 'USER_REJECTED_STATE',
    httpStatus: 403,
    description: "The API user's access request was rejected by the tenant's super admin.",
    category: Category.account,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation: 'Ask the Knox super admin to approve the API user, or use an approved admin account.',
  },
  {
    code: '4030104',
    codeName: 'USER_BLOCKED_STATE',
    httpStatus: 403,
    description: 'The API user is blocked; every call fails until it is unblocked.',
    category: Category.account,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation: 'Unblock the API user in the Knox Admin Portal (Administrators), then re-run the job.',
  },
  {
    code: '4030106',
    codeName: 'USER_PENDING_STATE',
    httpStatus: 403,
    description: "The API user has not been approved yet (pending the super admin's approval).",
    category: Category.account,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation: 'Ask the Knox super admin to approve the pending API user.',
  },
  {
    code: '4120000',
    codeName: 'PRECONDITION_FAILED_EXCEPTION',
    httpStatus: 412,
    description: 'A precondition is not met, typically no SIM control configuration for the tenant.',
    category: Category.configuration,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation:
      'Configure SIM control in Knox Guard (Settings > SIM control) before using SIM-dependent operations.',
  },
] as const satisfies readonly KnoxCodeEntry[];

/** Every Knox Guard code from the troubleshooting table, in table order. */
export const KNOX_CODES: readonly KnoxCodeEntry[] = entries;

/** The symbolic names of the catalog, as a type (e.g. `'LICENSE_IS_LACK'`). */
export type KnoxCodeName = (typeof entries)[number]['codeName'];

const byCode = new Map<string, KnoxCodeEntry>(entries.map((entry) => [entry.code, entry]));
const byName = new Map<string, KnoxCodeEntry>(entries.map((entry) => [entry.codeName, entry]));

/**
 * Looks up a Knox Guard or Knox Cloud Authentication (token service) code by its number (as
 * string or number) or its symbolic name; a name both use gives the Knox Guard row.
 *
 * @example
 * lookupKnoxCode(4001809)?.codeName; // 'LICENSE_IS_LACK'
 * lookupKnoxCode('USER_BLOCKED_STATE')?.code; // '4030104'
 */
export function lookupKnoxCode(codeOrName: string | number): KnoxCodeEntry | undefined {
  const key = String(codeOrName).trim();
  // Knox Guard's own entries win a name both services use (API_KEY_RESTRICTION_INVALID, ...).
  return byCode.get(key) ?? byName.get(key) ?? tokenByCode.get(key) ?? tokenByName.get(key);
}

/**
 * The catalog entry for a symbolic name the catalog is known to hold; throws on a typo, so
 * tests and the simulator fail loudly rather than producing an unclassified error.
 *
 * @example
 * knoxCode('LICENSE_IS_LACK').httpStatus; // 400
 */
export function knoxCode(name: KnoxCodeName): KnoxCodeEntry {
  const entry = byName.get(name);
  if (!entry) throw new RangeError(`Unknown Knox Guard code name: ${name}`);
  return entry;
}

// ---------------------------------------------------------------------------------------------
// Knox Cloud Authentication (the token service, `/ams/v1/users/accesstoken`): its own codes, sent
// in its own envelope `{code, message, data}` whose values may be one-element arrays (KBA-1242).
// A separate group so the 24 Knox Guard rows stay exactly the Knox Guard table.

/**
 * Where the token-service rows come from: the Knox Cloud Authentication troubleshooting table
 * (4002250, 4002251, 4010011, 40122050, 4032251, 4032252, 4042251, 4042252), KBA-1242 (4030000
 * with array values, caused by clock or time-zone differences) and the Knox Configure / Knox
 * Mobile Enrollment error pages (4012250 ACCESS_TOKEN_BAD_REQUEST at HTTP 401).
 */
export const TOKEN_SERVICE_SOURCES = [
  'https://docs.samsungknox.com/dev/knox-cloud-authentication/troubleshooting-knox-cloud-services/',
  'https://docs.samsungknox.com/dev/knox-cloud-authentication/kbas/kba-1242-authentication-fails-due-to-expired-access-token',
  'https://docs.samsungknox.com/dev/knox-configure/error-codes/',
] as const;

const tokenEntries = [
  {
    code: '4030000',
    codeName: 'AUTHENTICATION_FAIL',
    httpStatus: 403,
    description:
      "Knox Cloud Authentication could not verify the signed token; typically it counts as expired because the signing clock differs from Knox's (KBA-1242).",
    category: Category.auth,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.developer,
    remediation:
      'The client renews the token once by itself; if it still fails, check the clock and time zone of the host that signs the JWTs (NTP), then that certificate.json and the client identifier belong to the same API key.',
  },
  {
    code: '4032251',
    codeName: 'ACCESS_TOKEN_EXPIRED',
    httpStatus: 403,
    description: 'The access token has expired; a new one must be generated.',
    category: Category.auth,
    severity: Severity.warning,
    retryable: false,
    actionable: false,
    scope: Scope.tenant,
    actor: Actor.nobody,
    remediation:
      'None: the client generates a new access token once and resends; a second expiry right after that is reported as TOKEN_CLOCK_SKEW.',
  },
  {
    code: '4032252',
    codeName: 'ACCESS_TOKEN_INVALID',
    httpStatus: 403,
    description: 'The access token is not valid for this API key (unknown, revoked or altered).',
    category: Category.auth,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation:
      'The client renews the token once by itself; if it is refused again, check that the API key is still active in the Knox Cloud API portal and that the secret holds its certificate.json.',
  },
  {
    code: '4002250',
    codeName: 'API_KEY_NON_UNIQUE_JWTID',
    httpStatus: 400,
    description: 'A signed JWT was sent a second time; Knox accepts each JWT id (jti) once.',
    category: Category.auth,
    severity: Severity.warning,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.developer,
    remediation:
      'The client signs a fresh JWT for every token request and retries by itself; if this persists, find what replays requests between Lambda and Knox (a proxy retrying POSTs).',
  },
  {
    code: '4002251',
    codeName: 'ACCESS_TOKEN_TIMEOUT_VALIDITY_RESOURCE_INVALID_PARAM',
    httpStatus: 400,
    description: 'validityForAccessTokenInMinutes in the token request is not a valid int32.',
    category: Category.configuration,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.developer,
    remediation:
      'The client always asks for 30 minutes; if Knox refuses that, open a Samsung Knox ticket quoting the answer (the allowed range is not documented).',
  },
  {
    code: '4010011',
    codeName: 'IDP_AUTHORIZATION_FAIL',
    httpStatus: 401,
    description: 'Knox could not authorize the Samsung Account app id behind the API key.',
    category: Category.auth,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation:
      'Check the Samsung account that owns the API key can still sign in to the Knox Admin Portal; issue a new key from an active admin if not.',
  },
  {
    code: '40122050',
    codeName: 'ACCESS_TOKEN_BAD_REQUEST',
    httpStatus: 401,
    description:
      'The signed JWT is malformed or its signature does not verify with the registered public key.',
    category: Category.auth,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation:
      'Check that certificate.json in the secret is the key pair downloaded with this client identifier; regenerate both in the Knox Cloud API portal if unsure.',
  },
  {
    code: '4012250',
    codeName: 'ACCESS_TOKEN_BAD_REQUEST',
    httpStatus: 401,
    description:
      'The signed JWT is malformed or its signature does not verify with the registered public key.',
    category: Category.auth,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation:
      'Check that certificate.json in the secret is the key pair downloaded with this client identifier; regenerate both in the Knox Cloud API portal if unsure.',
  },
  {
    code: '4042251',
    codeName: 'API_KEY_RESTRICTION_NOT_FOUND',
    httpStatus: 404,
    description: 'The token service found no access restriction for the API key it was configured with.',
    category: Category.auth,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation: 'Re-create the API key restriction (or the key itself) in the Knox Cloud API portal.',
  },
  {
    code: '4042252',
    codeName: 'API_KEY_RESTRICTION_INVALID',
    httpStatus: 404,
    description:
      "The calling address does not satisfy the API key's access restriction, or the restriction is malformed.",
    category: Category.auth,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation:
      "The stack has no fixed egress address: remove the API key's IP restriction in the Knox Cloud API portal, or add a VPC with a NAT gateway and allow its Elastic IPs (docs/operator-guide.md).",
  },
] as const satisfies readonly KnoxCodeEntry[];

/** The Knox Cloud Authentication (token service) codes, in its table's order; see `TOKEN_SERVICE_SOURCES`. */
export const TOKEN_SERVICE_CODES: readonly KnoxCodeEntry[] = tokenEntries;

/** The symbolic names of the token-service group (e.g. `'ACCESS_TOKEN_EXPIRED'`). */
export type TokenServiceCodeName = (typeof tokenEntries)[number]['codeName'];

const tokenByCode = new Map<string, KnoxCodeEntry>(tokenEntries.map((entry) => [entry.code, entry]));
// The first row of a name wins (40122050 before 4012250), as the table lists them.
const tokenByName = new Map<string, KnoxCodeEntry>(
  [...tokenEntries].reverse().map((entry) => [entry.codeName, entry]),
);

/**
 * The token-service entry for a name of that group; throws on a typo. Unlike `knoxCode`, a name
 * both services use (`API_KEY_RESTRICTION_INVALID`) gives the token service's row.
 *
 * @example
 * tokenServiceCode('API_KEY_NON_UNIQUE_JWTID').code; // '4002250'
 */
export function tokenServiceCode(name: TokenServiceCodeName): KnoxCodeEntry {
  const entry = tokenByName.get(name);
  if (!entry) throw new RangeError(`Unknown Knox Cloud Authentication code name: ${name}`);
  return entry;
}
