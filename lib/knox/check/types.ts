import type { DeviceOperation } from '../constants';
import type { HttpTransport } from '../HttpTransport';
import type { KnoxCertificateJson } from '../parseCertificate';
import type { Clock, OperationParams } from '../types';

/**
 * What a check row found: `pass` (the answer is what the client reads), `differs` (the tenant
 * answered, but not as the contract row says: a setting or a constant must change), `error` (no
 * usable answer: down, refused credentials, a blocked user; nothing to learn about the contract),
 * `skipped` (not called by this run).
 */
export const CheckStatus = {
  pass: 'pass',
  differs: 'differs',
  error: 'error',
  skipped: 'skipped',
} as const;
export type CheckStatus = (typeof CheckStatus)[keyof typeof CheckStatus];

/** The harmless async operations the check may run on the operator's device. */
export const CHECK_OPERATIONS = ['sendMessage', 'blink'] as const satisfies readonly DeviceOperation[];
export type CheckOperation = (typeof CHECK_OPERATIONS)[number];

/** One line of the report: one `KNOX_CONTRACT` row. */
export interface CheckRow {
  /** The contract row's stable id (`deviceList:POST`). */
  readonly id: string;
  readonly method: string;
  /** The path called (under the API prefix in use). */
  readonly path: string;
  /** The answer the contract row expects. */
  readonly expected: string;
  status: CheckStatus;
  /** The HTTP status of the last answer, when one arrived. */
  httpStatus?: number;
  /** The last answer as a type skeleton (`describeShape`), or what came instead (`html, 74 bytes`, `no answer`). */
  answer?: string;
  /** Why it differs or failed (masked), or what a pass noticed. */
  detail?: string;
  /** What to change when it differs. */
  hint?: string;
  /** Facts the row learned (async: id-list field, handle source, status seen, polls). */
  findings?: Record<string, string | number | boolean>;
}

export interface TenantCheckSummary {
  readonly pass: number;
  readonly differs: number;
  readonly error: number;
  readonly skipped: number;
}

/** The whole report, as written to `knox-check-report.json`. Never holds a token, key or unmasked id. */
export interface TenantCheckReport {
  readonly tool: 'knox-check';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly target: {
    readonly baseUrl: string;
    readonly apiPrefix: string;
    /** Masked like a device id. */
    readonly clientIdentifier: string;
    /** Where the credentials came from (`certificate file`, `secret <name> (eu-central-1)`). */
    readonly credentials: string;
  };
  /** Masked; absent on a read-only run. */
  readonly device?: string;
  readonly operation?: CheckOperation;
  readonly rows: readonly CheckRow[];
  readonly summary: TenantCheckSummary;
  /** 0 when every row that ran passed, 1 otherwise (the CLI's exit code). */
  readonly exitCode: 0 | 1;
}

export interface TenantCheckOptions {
  /** `KNOX_REGIONS.eu`, `KNOX_REGIONS.us` or another base URL. */
  readonly baseUrl: string;
  /** Default `KNOX_API_PREFIX` (`/kcs/v1.1/kg`). */
  readonly apiPrefix?: string;
  readonly clientIdentifier: string;
  /** certificate.json contents `{Public, Private}` (or its text). */
  readonly certificate: KnoxCertificateJson | string;
  /** Describes the credentials' source in the report. */
  readonly credentialsSource?: string;
  /** Devices asked for in the one `devices/list` page. Default 5. */
  readonly pageSize?: number;
  /** Also GET the unverified licence list (read-only; what `knoxUnverifiedLicenceApi` would call). */
  readonly licences?: boolean;
  /** With a device the operator names: one async operation and its transaction. */
  readonly device?: {
    readonly deviceUid: string;
    /** Default `sendMessage`. */
    readonly operation?: CheckOperation;
    readonly params: OperationParams;
  };
  /** How long the transaction is polled for its result, ms. Default 120 000. */
  readonly transactionTimeoutMs?: number;
  /** Per-request timeout, ms. Default 15 000. */
  readonly requestTimeoutMs?: number;
}

/** What the check runs on; everything has a real default. */
export interface TenantCheckDeps {
  /** Default `nodeHttpTransport()`. */
  readonly transport?: HttpTransport;
  readonly clock?: Clock;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Progress lines while the check runs (polls); never given a token or an unmasked id. */
  readonly progress?: (line: string) => void;
  /** Makes each `x-knox-transactionId` (default `crypto.randomUUID`). */
  readonly newTransactionId?: () => string;
}
