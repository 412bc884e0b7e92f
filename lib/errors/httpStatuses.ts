import { Actor, Category, Scope, Severity } from './constants';

/** One HTTP status Knox Guard documents, with the classification used when no Knox code is known. */
export interface HttpStatusEntry {
  readonly httpStatus: number;
  readonly statusName: string;
  /** A stable symbolic name for failures that carry only this status. */
  readonly codeName: string;
  readonly description: string;
  readonly category: Category;
  readonly severity: Severity;
  readonly retryable: boolean;
  readonly actionable: boolean;
  readonly scope: Scope;
  readonly actor: Actor;
  readonly remediation: string;
}

const statuses = [
  {
    httpStatus: 200,
    statusName: 'Success',
    codeName: 'SUCCESS',
    description: 'The request was received and processed.',
    category: Category.request,
    severity: Severity.info,
    retryable: false,
    actionable: false,
    scope: Scope.device,
    actor: Actor.nobody,
    remediation: 'None.',
  },
  {
    httpStatus: 400,
    statusName: 'Bad Request',
    codeName: 'BAD_REQUEST',
    description: 'The request is invalid, for example a validation error in the payload.',
    category: Category.request,
    severity: Severity.warning,
    retryable: false,
    actionable: true,
    scope: Scope.device,
    actor: Actor.developer,
    remediation: "Check the job's input; the reason describes the invalid field.",
  },
  {
    httpStatus: 401,
    statusName: 'Unauthorized',
    codeName: 'UNAUTHORIZED',
    description: 'The authentication token is missing or expired.',
    category: Category.auth,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation: 'Check the Knox Guard API key and client identifier in Secrets Manager.',
  },
  {
    httpStatus: 403,
    statusName: 'Forbidden',
    codeName: 'FORBIDDEN',
    description: 'Authenticated, but the tenant or user lacks the permission for this call.',
    category: Category.account,
    severity: Severity.critical,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.knoxAdmin,
    remediation: "Check the API user's role and status in the Knox Admin Portal.",
  },
  {
    httpStatus: 404,
    statusName: 'Not Found',
    codeName: 'NOT_FOUND',
    description: 'The requested resource does not exist.',
    category: Category.request,
    severity: Severity.warning,
    retryable: false,
    actionable: true,
    scope: Scope.device,
    actor: Actor.developer,
    remediation: 'Check the base URL, API path and the ids in the request.',
  },
  {
    httpStatus: 406,
    statusName: 'Not Acceptable',
    codeName: 'NOT_ACCEPTABLE',
    description: 'The Accept header asks for a MIME type the server does not support.',
    category: Category.request,
    severity: Severity.warning,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.developer,
    remediation: 'Send Accept: application/json (a client bug; report it).',
  },
  {
    httpStatus: 422,
    statusName: 'Unprocessable Entity',
    codeName: 'UNPROCESSABLE_ENTITY',
    description: 'The request is valid but cannot be processed, often because a limit was exceeded.',
    category: Category.request,
    severity: Severity.warning,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.developer,
    remediation: 'Reduce the request (fewer devices, shorter message) and check account limits.',
  },
  {
    httpStatus: 429,
    statusName: 'Too Many Requests',
    codeName: 'TOO_MANY_REQUESTS',
    description: 'The client exceeded the number of requests allowed in a time window.',
    category: Category.rateLimit,
    severity: Severity.warning,
    retryable: true,
    actionable: false,
    scope: Scope.tenant,
    actor: Actor.developer,
    remediation:
      'Retried with backoff; if it persists, lower the worker concurrency or the rate limit in config.',
  },
  {
    httpStatus: 500,
    statusName: 'Internal Server Error',
    codeName: 'INTERNAL_SERVER_ERROR',
    description: 'An unexpected error on the Knox Guard servers.',
    category: Category.server,
    severity: Severity.warning,
    retryable: true,
    actionable: false,
    scope: Scope.tenant,
    actor: Actor.samsung,
    remediation:
      'Retried automatically; if it persists, check the Samsung Knox status page and open a ticket.',
  },
  {
    httpStatus: 501,
    statusName: 'Not Implemented',
    codeName: 'NOT_IMPLEMENTED',
    description: 'The request was understood but the feature is not implemented.',
    category: Category.server,
    severity: Severity.warning,
    retryable: false,
    actionable: true,
    scope: Scope.tenant,
    actor: Actor.developer,
    remediation: 'The operation is not available for this tenant or region; remove it from the job.',
  },
] as const satisfies readonly HttpStatusEntry[];

/** The HTTP statuses of the Knox Guard troubleshooting table, in table order. */
export const HTTP_STATUSES: readonly HttpStatusEntry[] = statuses;

const byStatus = new Map<number, HttpStatusEntry>(statuses.map((entry) => [entry.httpStatus, entry]));

/** Statuses gateways in front of Knox Guard answer with; they are transient by nature. */
const GATEWAY_STATUSES: Readonly<Record<number, string>> = {
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

/**
 * The classification for an HTTP status when no Knox Guard code identifies the failure. Unknown
 * statuses fall back on their class (4xx: a request problem, 5xx: a transient server problem).
 *
 * @example
 * classifyHttpStatus(429).retryable; // true
 * classifyHttpStatus(418).category;  // 'request'
 */
export function classifyHttpStatus(httpStatus: number): HttpStatusEntry {
  const known = byStatus.get(httpStatus);
  if (known) return known;
  const gateway = GATEWAY_STATUSES[httpStatus];
  if (gateway !== undefined || (httpStatus >= 500 && httpStatus <= 599)) {
    const base = byStatus.get(500) as HttpStatusEntry;
    return {
      ...base,
      httpStatus,
      statusName: gateway ? gateway.replaceAll('_', ' ').toLowerCase() : `HTTP ${httpStatus}`,
      codeName: gateway ?? `HTTP_${httpStatus}`,
      description: `Knox Guard or a gateway in front of it answered HTTP ${httpStatus}.`,
    };
  }
  const base = byStatus.get(400) as HttpStatusEntry;
  return {
    ...base,
    httpStatus,
    statusName: `HTTP ${httpStatus}`,
    codeName: `HTTP_${httpStatus}`,
    description: `Knox Guard answered an unexpected HTTP ${httpStatus}.`,
  };
}
