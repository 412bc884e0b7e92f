/**
 * The alert pipeline's errors: one base class, subclasses named after what failed, each keeping
 * the original error as `cause` so logs and the Lambda's retry / DLQ decision see the whole story.
 */
export class AlertError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AlertError';
  }
}

/** The alert rules configuration is invalid; `message` lists every problem with its path. */
export class AlertRulesError extends AlertError {
  /** One line per problem, e.g. `silences.0.until: expected an ISO date`. */
  readonly issues: readonly string[];

  constructor(issues: readonly string[], options?: { cause?: unknown }) {
    super(`Invalid alert rules:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`, options);
    this.name = 'AlertRulesError';
    this.issues = issues;
  }
}

/**
 * Some alerts could not be published to SNS after every retry. Thrown so the invocation is retried
 * or dead-lettered; the dedupe state of these alerts was released, so the retry sends them.
 */
export class AlertPublishError extends AlertError {
  /** Ids of the messages that were not published. */
  readonly failedIds: readonly string[];
  /** Ids of the messages of the same call that were published. */
  readonly sentIds: readonly string[];

  constructor(
    message: string,
    failedIds: readonly string[],
    sentIds: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AlertPublishError';
    this.failedIds = failedIds;
    this.sentIds = sentIds;
  }
}

/** The alert state store (DynamoDB) failed in a way retrying inside the invocation did not fix. */
export class AlertStateError extends AlertError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AlertStateError';
  }
}

/**
 * A silence cannot be stored or expired: bad input (an unknown code, a duration past the maximum,
 * the stage's limit of active silences reached), no such active silence, or the store failed
 * (`cause`). `reason` tells an admin tool which it was, so it can pick its exit code.
 */
export class SilenceError extends AlertError {
  readonly reason: 'invalid' | 'not-found' | 'limit' | 'store';

  constructor(message: string, reason: SilenceError['reason'], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SilenceError';
    this.reason = reason;
  }
}
