/**
 * Classification vocabularies the rest of the system routes on. `as const` objects rather than
 * enums so the values are plain strings in logs, SNS message attributes and DynamoDB items.
 */
export const Category = {
  auth: 'auth',
  account: 'account',
  license: 'license',
  device: 'device',
  request: 'request',
  rateLimit: 'rate-limit',
  server: 'server',
  configuration: 'configuration',
} as const;
export type Category = (typeof Category)[keyof typeof Category];

export const Severity = {
  critical: 'critical',
  warning: 'warning',
  info: 'info',
} as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

/**
 * What one failure says is broken, which decides how alerts group it: `tenant`, the whole tenant
 * (one alert group per stage and code across jobs, "tenant-wide"); `job`, one job or its run (its
 * targets file, its scheduled invocation: one alert group per stage, job and code, never
 * "tenant-wide"); `device`, only the device in question (the run's digest).
 */
export const Scope = {
  tenant: 'tenant',
  job: 'job',
  device: 'device',
} as const;
export type Scope = (typeof Scope)[keyof typeof Scope];

/** Who has to act on a failure; rendered in the runbook and in alerts. */
export const Actor = {
  knoxAdmin: 'Knox Guard admin',
  billingOps: 'billing / operations team',
  developer: 'integration developer',
  samsung: 'Samsung support (wait or open a ticket)',
  nobody: 'nobody (handled automatically)',
} as const;
export type Actor = (typeof Actor)[keyof typeof Actor];

/** Codes this service assigns to failures that carry no Knox Guard code of their own. */
export const SyntheticCode = {
  transport: 'TRANSPORT_ERROR',
  timeout: 'TIMEOUT',
  malformed: 'MALFORMED_RESPONSE',
} as const;
export type SyntheticCode = (typeof SyntheticCode)[keyof typeof SyntheticCode];
