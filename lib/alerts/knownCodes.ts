import {
  classifyHttpStatus,
  HTTP_STATUSES,
  KNOX_CODES,
  SERVICE_CODES,
  SyntheticCode,
  TOKEN_SERVICE_CODES,
} from '../errors';

// Every symbolic name a decoded failure can carry: catalog codes, documented HTTP statuses, the
// gateway statuses, our synthetic codes and the service's own codes. Rules may also name a Knox code by number or an
// `HTTP_nnn` fallback, so an unknown code that arrives in production can be tuned without a release.
const names = new Set<string>([
  ...KNOX_CODES.map((entry) => entry.codeName),
  ...TOKEN_SERVICE_CODES.map((entry) => entry.codeName),
  ...HTTP_STATUSES.map((entry) => entry.codeName),
  ...[502, 503, 504].map((status) => classifyHttpStatus(status).codeName),
  ...Object.values(SyntheticCode),
  ...SERVICE_CODES.map((entry) => entry.codeName),
]);

/**
 * Whether a rules entry names a code a failure can actually carry, so a typo such as
 * `LICENCE_IS_LACK` is rejected at load instead of silently matching nothing.
 *
 * @example
 * isKnownCodeReference('LICENSE_IS_LACK'); // true
 * isKnownCodeReference('4002250');         // true (a Knox code by number)
 * isKnownCodeReference('LICENCE_IS_LACK'); // false
 */
export function isKnownCodeReference(reference: string): boolean {
  return names.has(reference) || /^\d{3,12}$/.test(reference) || /^HTTP_\d{3}$/.test(reference);
}
