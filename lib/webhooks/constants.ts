/** Header names of the `POST /operations` authentication contract (lower case, as API Gateway passes them). */
export const OperationRequestHeader = {
  timestamp: 'x-sentinel-timestamp',
  signature: 'x-sentinel-signature',
} as const;

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
