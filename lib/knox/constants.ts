/**
 * The operations `KnoxClient.execute` runs; each has a sync path in `KNOX_PATHS`, most an `...Async`
 * one. `accept` has no source (issue 11): it is kept as an alias that sends `approve`.
 */
export const DEVICE_OPERATIONS = [
  'lock',
  'unlock',
  'blink',
  'sendMessage',
  'approve',
  'accept',
  'reject',
  'complete',
  'cancelComplete',
  'delete',
] as const;
export type DeviceOperation = (typeof DEVICE_OPERATIONS)[number];

/** Device states as the Knox Guard API names them (console names in the comments). */
export const DeviceStatus = {
  pending: 'Pending',
  /** Console: "Activating". */
  accepted: 'Accepted',
  /** Console: "Active". */
  enrolled: 'Enrolled',
  locked: 'Locked',
  /** The two-day window after `complete`, during which `cancelComplete` reverts it. */
  completing: 'Completing',
  completed: 'Completed',
  rejected: 'Rejected',
} as const;
export type DeviceStatus = (typeof DeviceStatus)[keyof typeof DeviceStatus];

/** Every `DeviceStatus` value, in the order above (for pick lists such as jobs.yml's status filter). */
export const DEVICE_STATUSES = Object.values(DeviceStatus) as [DeviceStatus, ...DeviceStatus[]];

/**
 * Knox Guard's bulk limit: the most devices one bulk request (and so one chunk, one operation
 * request, one client call) names. Sources (docs/knox-api-evidence.md, "Max devices per async
 * request"): the console's bulk CSV limit is 10,000 and 4000316 DEVICE_BULK_OPERATION_LIMIT_EXCEEDED
 * exists; the API's own number is not published, so the client halves a chunk on 4000316.
 */
export const KNOX_BULK_LIMIT = 10_000;

/** Defaults of `KnoxClientOptions`, in one place so docs and tests quote the same numbers. */
export const CLIENT_DEFAULTS = {
  /**
   * A safety cap, not the budget: a call with a deadline retries until the next wait would end
   * past it (a 429 storm or an outage is ridden out for the invocation's remaining time); this
   * only bounds a call without one (~15 min of capped backoff at most).
   */
  maxAttempts: 50,
  baseDelayMs: 200,
  maxDelayMs: 20_000,
  requestTimeoutMs: 15_000,
  bulkLimit: KNOX_BULK_LIMIT,
  concurrency: 4,
  pageSize: 1000,
  /** Tokens are valid 30 minutes; renew this long before our clock says they expire. */
  tokenRefreshMarginMs: 5 * 60_000,
  tokenValidityMinutes: 30,
  /** First wait between polls of a transaction that is not finished; grows x1.5 per poll. */
  transactionPollMs: 1000,
  /** The longest wait between two polls of one transaction. */
  transactionPollMaxMs: 15_000,
} as const;

/** The JWT audience and lifetime Samsung's knox-token-library-js uses. */
export const KNOX_JWT = {
  algorithm: 'RS512',
  audience: 'KnoxWSM',
  lifetimeSeconds: 30 * 60,
} as const;

/** The header that carries the signed access token on every Knox Guard API call. */
export const API_TOKEN_HEADER = 'x-knox-apitoken';
