// The one retry policy: full-jitter exponential backoff and the deadline no wait may pass. Used by
// the Knox Guard client (lib/knox/KnoxHttp.ts), the batch resender (lib/aws) and the follow-up
// schedule of chunk attempts (lib/operations/followUp.ts).
export { backoffCeiling } from './computeBackoffDelay';
export { retryDelayWithin } from './retryDelayWithin';
