/** Header names of the `POST /operations` authentication contract (lower case, as API Gateway passes them). */
export const OperationRequestHeader = {
  timestamp: 'x-sentinel-timestamp',
  signature: 'x-sentinel-signature',
  /** Signed by `v2=` signatures; `v1=` leaves it unsigned. */
  idempotencyKey: 'idempotency-key',
} as const;

/** The longest `Idempotency-Key` accepted, in characters. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/** The replay window for signed operation requests, in seconds, in both directions. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Why a signed operation request was refused; stable strings for logs and metrics. */
export const OperationAuthFailure = {
  missingTimestamp: 'missing-timestamp',
  invalidTimestamp: 'invalid-timestamp',
  timestampOutOfWindow: 'timestamp-out-of-window',
  missingSignature: 'missing-signature',
  malformedSignature: 'malformed-signature',
  signatureMismatch: 'signature-mismatch',
  noSecret: 'no-secret',
} as const;
export type OperationAuthFailure = (typeof OperationAuthFailure)[keyof typeof OperationAuthFailure];

/** Why a Knox Webhook Notification callback was refused. */
export const KnoxCallbackFailure = {
  missingSignature: 'missing-signature',
  malformedSignature: 'malformed-signature',
  unsupportedAlgorithm: 'unsupported-algorithm',
  invalidCertificate: 'invalid-certificate',
  certificateExpired: 'certificate-expired',
  signatureMismatch: 'signature-mismatch',
  payloadMismatch: 'payload-mismatch',
} as const;
export type KnoxCallbackFailure = (typeof KnoxCallbackFailure)[keyof typeof KnoxCallbackFailure];

/**
 * How far a Knox callback's event time may lie from our clock before the event is not processed.
 *
 * Samsung documents no redelivery policy for Knox Webhook Notification; 72 hours lets a callback
 * that Knox redelivers after a weekend-long outage of ours still count, and bounds how long nonce
 * and event records must be kept (one small DynamoDB item per callback). The future bound
 * tolerates clock skew between Knox and Lambda; without it an event dated far ahead would stay
 * "fresh" after its records expired. Records are kept `maxAgeSeconds + maxFutureSeconds`, so an
 * event is always either outside the window or still recorded.
 */
export const KNOX_CALLBACK_WINDOW = {
  maxAgeSeconds: 72 * 3600,
  maxFutureSeconds: 15 * 60,
} as const;

/** Why a signed Knox callback, or one of its events, was acknowledged without being processed. */
export const KnoxCallbackIgnored = {
  /** Its `x-knox-nonce` was seen before (Samsung: receivers should refuse it). */
  replayedNonce: 'replayed-nonce',
  /** Its event time is older than the window. */
  tooOld: 'too-old',
  /** Its event time is further ahead of our clock than the skew allowed. */
  inFuture: 'in-future',
} as const;
export type KnoxCallbackIgnored = (typeof KnoxCallbackIgnored)[keyof typeof KnoxCallbackIgnored];
