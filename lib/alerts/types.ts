import type { Category, KnoxGuardFailure, Scope, Severity } from '../errors';
import type { AlertKind, GroupStatus, RuleAction, SuppressReason } from './constants';

/** One device's decoded failure, as a worker observed it. */
export interface ObservedFailure {
  /** The device id (IMEI, serial, objectId or approveId); masked before it is stored or sent. */
  readonly deviceId?: string;
  readonly error: KnoxGuardFailure;
  /**
   * Further ids the failure knows besides `deviceId` and `error.requestedId` (Knox's objectId, the
   * other devices a shared reason may name): never shown, only masked inside the reason.
   */
  readonly knownIds?: readonly string[];
}

/** What one chunk / invocation of a job saw: the input of `AlertPipeline#process`. */
export interface RunObservation {
  readonly stage: string;
  readonly job: string;
  /** The run the chunk belongs to; chunks of one run share it. */
  readonly runId: string;
  readonly operation?: string;
  readonly failures: readonly ObservedFailure[];
  /** Devices that succeeded in this chunk; successes are what lets an alert resolve. */
  readonly successes: number;
  /**
   * Which part of the run this observation reports: `<chunk>.<attempt>` for a chunk, `inline`
   * for a run executed inside the scheduler. The alert state counts each contribution of a run
   * once, so a retried run or a redelivered chunk does not double its counts. Without one, every
   * observation adds to the counts.
   */
  readonly contribution?: string;
  /**
   * More chunks of the run are still to come (a fanned-out run): a firing alert sent now says its
   * count is a lower bound ("10+ devices so far"); reminders carry the later counts.
   */
  readonly inProgress?: boolean;
  /**
   * The chunk's list of failed devices (CSV in the customer's run-reports bucket): its key, the
   * run's location and console page, and whether this chunk's object was written.
   */
  readonly report?: ObservedReport;
}

/** Where a chunk's failed-device list went (lib/operations/runReport); no device id in it. */
export interface ObservedReport {
  readonly key: string;
  /** `s3://<bucket>/reports/<job>/<runId>/` */
  readonly location: string;
  readonly consoleUrl: string;
  readonly written: boolean;
}

/** The failure details an alert carries, kept in the state store for reminders and resolved messages. */
export interface AlertFailureInfo {
  readonly code: string;
  readonly codeName: string;
  readonly httpStatus: number;
  /** Knox Guard's reason, masked (IMEIs, phone numbers and e-mail addresses). */
  readonly reason: string;
  readonly description: string;
  readonly category: Category;
  readonly severity: Severity;
  readonly remediation: string;
  readonly actor: string;
  /**
   * The catalog scope, kept for `job` (a condition of the job or its run, not of devices: the alert
   * names the run instead of a device count). Absent in groups stored before it existed.
   */
  readonly scope?: Scope | undefined;
}

/**
 * The identity of an alert group: one alert per (stage, job, code); a tenant-wide code has one
 * group per (stage, code) across jobs, whose `job` is `TENANT_WIDE_JOB` (`*`).
 */
export interface GroupKey {
  readonly stage: string;
  readonly job: string;
  readonly codeName: string;
}

/** The persisted state of one alert group. */
export interface GroupState extends GroupKey {
  readonly code: string;
  readonly status: GroupStatus;
  /** When the current episode started (first failure after the group was resolved or new). */
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
  /** The latest run that failed, and how many of its devices failed so far. */
  readonly runId: string;
  readonly runCount: number;
  /** Failures observed in this episode, across runs. */
  readonly failures: number;
  /** Masked device ids of the latest run. */
  readonly samples: readonly string[];
  readonly failure: AlertFailureInfo;
  readonly lastNotifiedAt?: number | undefined;
  readonly notifiedKind?: AlertKind | undefined;
  readonly notifications: number;
  readonly claimUntil?: number | undefined;
  /**
   * Set between the durable "about to publish" write and the sent marker: a publish whose outcome
   * is unknown (the sent marker was lost, or the claiming invocation died inside PublishBatch).
   */
  readonly publishing?: { readonly at: number; readonly kind: AlertKind; readonly token: string } | undefined;
  readonly resolvedAt?: number | undefined;
  /** Set by an admin's `alerts ack` for this episode; a new episode starts without it. */
  readonly acknowledged?: Acknowledgement | undefined;
  /** Jobs that saw the condition in this episode (a tenant-wide group spans jobs), sorted. */
  readonly jobs?: readonly string[] | undefined;
  /** Jobs that have not succeeded without the code since they last saw it; the group resolves at none. */
  readonly failingJobs?: readonly string[] | undefined;
  /** The count the last firing, reminder or update told admins, and the run it was for. */
  readonly notifiedCount?: { readonly devices: number; readonly runId: string } | undefined;
}

/**
 * An admin's acknowledgement of an open alert group, as PagerDuty's acknowledge: someone is on it,
 * so no reminders; it lasts until the group resolves (the next failure is a new episode and fires
 * again) or until `until`, when given.
 */
export interface Acknowledgement {
  /** Epoch ms. */
  readonly at: number;
  readonly by: string;
  readonly comment?: string | undefined;
  /** Epoch ms when reminders resume; `undefined`: until the group resolves. */
  readonly until?: number | undefined;
}

/** The SNS message attributes subscription filter policies route on. */
export interface AlertAttributes {
  readonly severity: Severity;
  readonly code: string;
  readonly category: string;
  readonly stage: string;
  readonly job: string;
  readonly kind: AlertKind;
}

/** One message for the admins' topic: e-mail and SMS variants of the same alert. */
export interface AlertMessage {
  /** Unique within one publish call: letters, digits, `-` and `_`, at most 80 characters. */
  readonly id: string;
  readonly subject: string;
  readonly email: string;
  readonly sms: string;
  readonly attributes: AlertAttributes;
}

/** Sends rendered alerts; the SNS adapter is `createSnsAlertPublisher`. */
export interface AlertPublisher {
  /**
   * Publishes every message or throws an `AlertPublishError` naming the ones that were not sent.
   * `deadline` (epoch ms): no retry wait and no request runs past it.
   */
  publish(messages: readonly AlertMessage[], options?: { readonly deadline?: number }): Promise<void>;
}

/** What happened to one failing group in one observation. */
export interface GroupReport {
  readonly codeName: string;
  readonly code: string;
  readonly action: RuleAction;
  /** Devices of this chunk that failed with the code. */
  readonly devices: number;
  readonly outcome: 'sent' | 'suppressed';
  readonly kind?: AlertKind;
  readonly reason?: SuppressReason;
  /** The inhibiting code or the silence comment, when that is the reason. */
  readonly detail?: string;
}

/** What `process` or `flush` did, for logs and the `npm start` runner. */
export interface AlertReport {
  readonly stage: string;
  readonly job: string;
  readonly runId: string;
  readonly groups: readonly GroupReport[];
  readonly resolved: readonly { readonly codeName: string; readonly notified: boolean }[];
  readonly digest?: { readonly runId: string; readonly sent: boolean; readonly codes: number };
  /** Messages published to SNS by this call. */
  readonly published: number;
}
