import { KNOX_CODES, type KnoxCodeEntry, TOKEN_SERVICE_CODES, TOKEN_SERVICE_SOURCES } from './catalog';
import { HTTP_STATUSES } from './httpStatuses';
import { SERVICE_CODES } from './serviceCodes';

const escapeCell = (text: string): string => text.replaceAll('|', '\\|').replace(/\s+/g, ' ');

const codeRow = (entry: KnoxCodeEntry): string =>
  [
    entry.code,
    `\`${entry.codeName}\``,
    String(entry.httpStatus),
    entry.description,
    entry.category,
    entry.severity,
    entry.scope,
    entry.retryable ? 'yes' : 'no',
    entry.actionable ? entry.actor : `${entry.actor} (no action needed)`,
    entry.remediation,
  ]
    .map(escapeCell)
    .join(' | ')
    .replace(/^/, '| ')
    .concat(' |');

/**
 * Renders `docs/error-codes.md`, the admins' runbook, from the catalog. Pure and deterministic,
 * so a test can compare it with the committed file and fail when the file is stale.
 *
 * @example
 * await writeFile('docs/error-codes.md', renderRunbook());
 */
export function renderRunbook(): string {
  const lines = [
    '# Knox Guard error codes: runbook',
    '',
    '<!-- Generated from lib/errors/catalog.ts by `npm run docs:errors`. Do not edit by hand. -->',
    '',
    'Every Knox Guard code knox-guard-sentinel knows, how it is classified and what to do about it.',
    'Alerts quote the "What to do" line. Codes not listed here are classified by their HTTP status',
    '(the first three digits of the code) using the second table.',
    '',
    '## Knox Guard codes',
    '',
    '| Code | Name | HTTP | Meaning | Category | Severity | Scope | Retryable | Who must act | What to do |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...KNOX_CODES.map(codeRow),
    '',
    '## Knox Cloud Authentication (token service) codes',
    '',
    'The token service (`/ams/v1/users/accesstoken`) answers `{code, message, data}`, sometimes with',
    'each value in a one-element array; either form decodes to the rows below, at any HTTP status.',
    'The client renews the access token once on `AUTHENTICATION_FAIL`, `ACCESS_TOKEN_EXPIRED`,',
    '`ACCESS_TOKEN_INVALID`, `AUTHORIZATION_FAIL` or HTTP 401, and signs a fresh JWT for every',
    'token request. Sources:',
    ...TOKEN_SERVICE_SOURCES.map((url) => `<${url}>`)
      .join(',\n')
      .split('\n'),
    '',
    '| Code | Name | HTTP | Meaning | Category | Severity | Scope | Retryable | Who must act | What to do |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...TOKEN_SERVICE_CODES.map(codeRow),
    '',
    '## HTTP statuses (fallback when the code is unknown)',
    '',
    '| HTTP | Name | Meaning | Category | Severity | Retryable | Who must act | What to do |',
    '|---|---|---|---|---|---|---|---|',
    ...HTTP_STATUSES.map((entry) =>
      [
        String(entry.httpStatus),
        entry.statusName,
        entry.description,
        entry.category,
        entry.severity,
        entry.retryable ? 'yes' : 'no',
        entry.actor,
        entry.remediation,
      ]
        .map(escapeCell)
        .join(' | ')
        .replace(/^/, '| ')
        .concat(' |'),
    ),
    '',
    '## Conditions the service reports itself',
    '',
    '| Code | Meaning | Category | Severity | Who must act | What to do |',
    '|---|---|---|---|---|---|',
    ...SERVICE_CODES.map(
      (entry) =>
        `| \`${entry.codeName}\` | ${[entry.description, entry.category, entry.severity, entry.actor, entry.remediation].map(escapeCell).join(' | ')} |`,
    ),
    '',
    'Failures without any HTTP answer are `TIMEOUT` and `TRANSPORT_ERROR`; a 2xx answer that cannot',
    'be read is `MALFORMED_RESPONSE`. All three are retried automatically.',
    '',
  ];
  return lines.join('\n');
}
