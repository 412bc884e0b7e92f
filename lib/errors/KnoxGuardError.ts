import type { Actor, Category, Scope, Severity } from './constants';

/** The data every decoded Knox Guard failure carries; also what `KnoxGuardError#toJSON` returns. */
export interface KnoxGuardFailure {
  /** The HTTP status the code stands for (for a Knox code, its first three digits). */
  readonly httpStatus: number;
  /** The HTTP status that actually came over the wire (200 for a `result: FAIL` body on 200). */
  readonly receivedStatus: number;
  /** The Knox code as a string ('4001809'), or a stable synthetic code ('HTTP_502', 'TIMEOUT'). */
  readonly code: string;
  /** The symbolic name ('LICENSE_IS_LACK'); Knox Guard sends it in `error.message`. */
  readonly codeName: string;
  /** Knox Guard's human detail (`error.reason`), or what we could tell about the answer. */
  readonly reason: string;
  readonly description: string;
  readonly category: Category;
  readonly severity: Severity;
  readonly retryable: boolean;
  readonly actionable: boolean;
  readonly scope: Scope;
  readonly actor: Actor;
  readonly remediation: string;
  /** Whether the code is in the catalog (false: classified from the HTTP status). */
  readonly known: boolean;
  /** Seconds to wait, from a `Retry-After` header, when one was given. */
  readonly retryAfter?: number;
  /** The device id the failure belongs to, inside a bulk answer. */
  readonly requestedId?: string;
}

/**
 * A Knox Guard failure, decoded and classified. Thrown by the Knox Guard client and routed by
 * the alert pipeline; `codeName` holds Knox's symbolic name because `name` is the class name.
 *
 * @example
 * try { await client.lock(devices, message); }
 * catch (error) {
 *   if (error instanceof KnoxGuardError && error.codeName === 'LICENSE_IS_LACK') { ... }
 * }
 */
export class KnoxGuardError extends Error implements KnoxGuardFailure {
  readonly httpStatus: number;
  readonly receivedStatus: number;
  readonly code: string;
  readonly codeName: string;
  readonly reason: string;
  readonly description: string;
  readonly category: Category;
  readonly severity: Severity;
  readonly retryable: boolean;
  readonly actionable: boolean;
  readonly scope: Scope;
  readonly actor: Actor;
  readonly remediation: string;
  readonly known: boolean;
  readonly retryAfter?: number;
  readonly requestedId?: string;

  constructor(failure: KnoxGuardFailure, options?: { cause?: unknown }) {
    super(`${failure.codeName} (${failure.code}, HTTP ${failure.httpStatus}): ${failure.reason}`, options);
    this.name = 'KnoxGuardError';
    this.httpStatus = failure.httpStatus;
    this.receivedStatus = failure.receivedStatus;
    this.code = failure.code;
    this.codeName = failure.codeName;
    this.reason = failure.reason;
    this.description = failure.description;
    this.category = failure.category;
    this.severity = failure.severity;
    this.retryable = failure.retryable;
    this.actionable = failure.actionable;
    this.scope = failure.scope;
    this.actor = failure.actor;
    this.remediation = failure.remediation;
    this.known = failure.known;
    if (failure.retryAfter !== undefined) this.retryAfter = failure.retryAfter;
    if (failure.requestedId !== undefined) this.requestedId = failure.requestedId;
  }

  /** The plain data, for logs, queues and DynamoDB (Error fields are not enumerable). */
  toJSON(): KnoxGuardFailure {
    const { httpStatus, receivedStatus, code, codeName, reason, description, category, severity } = this;
    const { retryable, actionable, scope, actor, remediation, known, retryAfter, requestedId } = this;
    return {
      httpStatus,
      receivedStatus,
      code,
      codeName,
      reason,
      description,
      category,
      severity,
      retryable,
      actionable,
      scope,
      actor,
      remediation,
      known,
      ...(retryAfter === undefined ? {} : { retryAfter }),
      ...(requestedId === undefined ? {} : { requestedId }),
    };
  }
}
