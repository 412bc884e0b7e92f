/**
 * Vocabularies of the alert pipeline. `as const` objects rather than enums so the values are plain
 * strings in DynamoDB items, SNS message attributes and logs.
 */

/** What the rules do with one failure code. */
export const RuleAction = {
  /** One alert per (stage, job, code) group, deduplicated across runs and workers. */
  alert: 'alert',
  /** Counted into the run's digest: one message per run and job, never one per device. */
  digest: 'digest',
  /** Not reported at all. */
  ignore: 'ignore',
} as const;
export type RuleAction = (typeof RuleAction)[keyof typeof RuleAction];

/** The message variants admins receive. */
export const AlertKind = {
  firing: 'firing',
  reminder: 'reminder',
  resolved: 'resolved',
  digest: 'digest',
  /** The final count of a fanned-out run, sent when its last chunk is done and the count differs. */
  update: 'update',
} as const;
export type AlertKind = (typeof AlertKind)[keyof typeof AlertKind];

/** Why a group that failed in this observation did not produce a message (for the report and logs). */
export const SuppressReason = {
  ignored: 'ignored',
  silenced: 'silenced',
  inhibited: 'inhibited',
  /** A transient code that has not persisted past its `persistFor` threshold yet. */
  pending: 'pending',
  /** Already notified within `repeatInterval`. */
  notifiedRecently: 'notified-recently',
  /** Another worker (or an earlier try of this invocation) holds the send claim. */
  claimedElsewhere: 'claimed-elsewhere',
  /** Folded into the run's digest. */
  digested: 'digested',
  /** An admin acknowledged the open alert (`knox-guard-sentinel alerts ack`): no reminders. */
  acknowledged: 'acknowledged',
} as const;
export type SuppressReason = (typeof SuppressReason)[keyof typeof SuppressReason];

/** Lifecycle of one alert group in the state store. */
export const GroupStatus = {
  active: 'active',
  resolved: 'resolved',
} as const;
export type GroupStatus = (typeof GroupStatus)[keyof typeof GroupStatus];

/** The Knox Admin Portal, where Knox Guard admins fix licences, users and API keys. */
export const DEFAULT_CONSOLE_URL = 'https://central.samsungknox.com/';

/** The SNS `code` attribute of digests, so filter policies can route or drop them. */
export const DIGEST_CODE = 'DIGEST';

/**
 * The `job` of a tenant-wide alert group (catalog `scope: tenant`): one group per stage and code
 * across jobs, as an Alertmanager route grouping by everything but `job`. Also the SNS `job`
 * attribute of its messages. Not a valid job name, so it cannot collide with one.
 */
export const TENANT_WIDE_JOB = '*';
