import { RuleAction } from './constants';

/** Transient codes alert only when they persist this long (overridable per code, job and stage). */
export const DEFAULT_PERSIST_FOR = '30m';

/**
 * The built-in rule per code, as the issue defines it: tenant-wide conditions an admin must fix
 * alert at once; per-device codes go into the run's digest; transient codes alert only when they
 * persist. Codes not listed here fall back on their classification (see `resolveRule`).
 */
export const DEFAULT_CODE_RULES = {
  AUTHORIZATION_FAIL: { action: RuleAction.alert },
  API_KEY_RESTRICTION_INVALID: { action: RuleAction.alert },
  API_KEY_RESTRICTION_NOT_FOUND: { action: RuleAction.alert },
  USER_NOT_FOUND: { action: RuleAction.alert },
  USER_IN_INVALID_STATE: { action: RuleAction.alert },
  USER_REJECTED_STATE: { action: RuleAction.alert },
  USER_BLOCKED_STATE: { action: RuleAction.alert },
  USER_PENDING_STATE: { action: RuleAction.alert },
  TENANT_NOT_FOUND: { action: RuleAction.alert },
  LICENSE_IS_LACK: { action: RuleAction.alert },
  LICENSE_MAX_COUNT_REACHED: { action: RuleAction.alert },
  PRECONDITION_FAILED_EXCEPTION: { action: RuleAction.alert },
  DEVICE_NOT_FOUND: { action: RuleAction.digest },
  DEVICE_STATE_INVALID: { action: RuleAction.digest },
  TOO_MANY_REQUESTS: { action: RuleAction.alert, persistFor: DEFAULT_PERSIST_FOR },
  INTERNAL_SERVER_ERROR: { action: RuleAction.alert, persistFor: DEFAULT_PERSIST_FOR },
  BAD_GATEWAY: { action: RuleAction.alert, persistFor: DEFAULT_PERSIST_FOR },
  SERVICE_UNAVAILABLE: { action: RuleAction.alert, persistFor: DEFAULT_PERSIST_FOR },
  GATEWAY_TIMEOUT: { action: RuleAction.alert, persistFor: DEFAULT_PERSIST_FOR },
  LICENSE_INTERNAL_SERVER_FAILED: { action: RuleAction.alert, persistFor: DEFAULT_PERSIST_FOR },
  TIMEOUT: { action: RuleAction.alert, persistFor: DEFAULT_PERSIST_FOR },
  TRANSPORT_ERROR: { action: RuleAction.alert, persistFor: DEFAULT_PERSIST_FOR },
  MALFORMED_RESPONSE: { action: RuleAction.alert, persistFor: DEFAULT_PERSIST_FOR },
  // Knox Cloud Authentication (token service): no token, no call; alert at once. A second expiry
  // right after renewal arrives as TOKEN_CLOCK_SKEW, whose runbook line says to check the clock.
  TOKEN_CLOCK_SKEW: { action: RuleAction.alert },
  AUTHENTICATION_FAIL: { action: RuleAction.alert },
  ACCESS_TOKEN_INVALID: { action: RuleAction.alert },
  ACCESS_TOKEN_BAD_REQUEST: { action: RuleAction.alert },
  IDP_AUTHORIZATION_FAIL: { action: RuleAction.alert },
} as const;

/**
 * The codes whose firing alert inhibits per-device alerts and digest entries in the same stage:
 * when the API key, user or tenant cannot call Knox Guard at all, device failures are symptoms.
 * LICENSE_IS_LACK and PRECONDITION_FAILED_EXCEPTION are not sources: they affect only the devices
 * that need a seat or SIM control, so a DEVICE_NOT_FOUND next to them is a separate problem.
 */
export const DEFAULT_INHIBIT_SOURCES = [
  'AUTHORIZATION_FAIL',
  'API_KEY_RESTRICTION_INVALID',
  'API_KEY_RESTRICTION_NOT_FOUND',
  'USER_NOT_FOUND',
  'USER_IN_INVALID_STATE',
  'USER_REJECTED_STATE',
  'USER_BLOCKED_STATE',
  'USER_PENDING_STATE',
  'TENANT_NOT_FOUND',
  'TOKEN_CLOCK_SKEW',
  'AUTHENTICATION_FAIL',
  'ACCESS_TOKEN_INVALID',
  'ACCESS_TOKEN_BAD_REQUEST',
  'IDP_AUTHORIZATION_FAIL',
] as const;
