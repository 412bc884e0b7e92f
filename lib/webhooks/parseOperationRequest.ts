// valibot: its functions tree-shake (through this namespace import) and a schema is a plain
// object, cheap to build at cold start.
import * as v from 'valibot';
import { MAX_DEVICE_ID_INPUT, parseDeviceId } from '../devices';
import { DEVICE_OPERATIONS } from '../knox';
import { KNOX_BULK_LIMIT } from '../knox/constants';
import { messageProblems, operationOptionIssues } from '../knox/operationRules';
import { excerpt, maskDeviceId, maskExcerpt } from '../privacy';
import { emailAddress, issuePath, sqsText } from '../validation';

/** Knox Guard's bulk limit: one request names at most this many devices. */
export const MAX_DEVICES_PER_REQUEST = KNOX_BULK_LIMIT;

// Enough issues to fix a request; a list of 10,000 bad ids must not make a 10,000-line answer.
const MAX_ISSUES = 20;
// One issue line, masked, at most this long (characters); a key in a path at most 64.
const MAX_ISSUE_CHARS = 300;

const schema = v.strictObject({
  // A customer may request every device operation (lib/knox's DEVICE_OPERATIONS).
  operation: v.picklist(DEVICE_OPERATIONS),
  deviceUids: v.pipe(
    v.array(
      v.pipe(
        v.string(),
        v.maxLength(MAX_DEVICE_ID_INPUT, `is longer than ${MAX_DEVICE_ID_INPUT} characters`),
      ),
    ),
    v.minLength(1, 'name at least one device'),
    v.maxLength(MAX_DEVICES_PER_REQUEST, `name at most ${MAX_DEVICES_PER_REQUEST} devices per request`),
  ),
  message: v.optional(
    v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(1000), sqsText()),
  ),
  tel: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(/^\+?\d[\d\s().-]{4,22}\d$/, 'must be a phone number: E.164, e.g. +<country code><number>'),
    ),
  ),
  email: v.optional(v.pipe(v.string(), emailAddress('must be an e-mail address'))),
  requestedBy: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200), sqsText())),
  /**
   * The operation's optional Knox Guard fields (blink `interval`, approve `approveComment`, and
   * `approveId` for one device, sendMessage `enableFullscreen`/`messageType`), checked against
   * `OPERATION_RULES` by `operationOptionIssues`.
   */
  options: v.optional(
    v.record(
      v.pipe(v.string(), v.maxLength(64)),
      v.union([
        v.pipe(v.string(), v.maxLength(1000), sqsText()),
        v.number(),
        v.boolean(),
        v.pipe(v.array(v.number()), v.maxLength(16)),
      ]),
    ),
  ),
});

/** A validated operation request, as the webhook queues it. */
export type OperationRequest = v.InferOutput<typeof schema>;

export type ParseOperationRequestResult =
  | { readonly ok: true; readonly value: OperationRequest }
  | {
      readonly ok: false;
      /** One line per problem, `path: what is wrong`; device ids in them are masked. */
      readonly issues: string[];
      readonly apiError: 'VALIDATION_FAILED' | 'UNKNOWN_OPERATION';
    };

/**
 * Validates a parsed `POST /operations` body: a known operation, 1 to 10,000 device ids (read by
 * `parseDeviceId`: IMEIs with a valid check digit or 8-20 character serials, prefixes such as
 * `IMEI:` and separators removed; duplicates are dropped), every text free of characters Amazon
 * SQS refuses (so a request that could never be queued is a 400, not a 503), and for lock and
 * blink a message within Knox Guard's limit (350 / 200 characters) plus at least one contact
 * (`tel` or `email`); sendMessage needs a message; `options` hold the operation's optional Knox
 * Guard fields (`operationOptionIssues`). Unknown fields are refused so a misspelt
 * `tel` does not silently drop the contact. Never throws; issue texts never hold a full device id.
 *
 * @example
 * const parsed = parseOperationRequest(JSON.parse(body));
 * if (!parsed.ok) return apiError(parsed.apiError, parsed.issues.join('; '));
 * parsed.value.deviceUids; // string[]
 */
export function parseOperationRequest(json: unknown): ParseOperationRequestResult {
  try {
    return parse(json);
  } catch {
    return {
      ok: false,
      issues: ['body: could not be read as an operation request'],
      apiError: 'VALIDATION_FAILED',
    };
  }
}

function parse(json: unknown): ParseOperationRequestResult {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, issues: ['body: must be a JSON object'], apiError: 'VALIDATION_FAILED' };
  }
  const operation = (json as { operation?: unknown }).operation;
  if (typeof operation === 'string' && !(DEVICE_OPERATIONS as readonly string[]).includes(operation)) {
    return {
      ok: false,
      issues: [`operation: unknown operation; expected one of ${DEVICE_OPERATIONS.join(', ')}`],
      apiError: 'UNKNOWN_OPERATION',
    };
  }
  const parsed = v.safeParse(schema, json);
  const issues = parsed.success ? [] : parsed.issues.map(describeIssue);
  const devices = parsed.success ? normaliseDevices(parsed.output.deviceUids) : undefined;
  if (parsed.success && devices) {
    issues.push(...devices.issues, ...checkMessage(parsed.output));
    const { options, operation } = parsed.output;
    if (options !== undefined) {
      const perDevice = devices.ids.length === 1;
      issues.push(
        ...operationOptionIssues(operation, options, { perDevice }).map((issue) => `options: ${issue}`),
      );
    }
  }
  if (!parsed.success || !devices || issues.length > 0) {
    return { ok: false, issues: capIssues(issues), apiError: 'VALIDATION_FAILED' };
  }
  return { ok: true, value: { ...parsed.output, deviceUids: devices.ids } };
}

// Every id through lib/devices, so `IMEI356938035643809` and `35-693803-564380-9` reach Knox
// Guard as `356938035643809`, and are one device, not two.
function normaliseDevices(deviceUids: readonly string[]): { ids: string[]; issues: string[] } {
  const issues: string[] = [];
  const ids = new Set<string>();
  let more = 0;
  deviceUids.forEach((raw, index) => {
    const parsed = parseDeviceId(raw);
    if (parsed.ok) {
      ids.add(parsed.value);
      return;
    }
    if (issues.length >= MAX_ISSUES) {
      more++;
      return;
    }
    issues.push(`deviceUids[${index}]: "${maskDeviceId(maskExcerpt(raw.trim(), 64))}" is ${parsed.reason}`);
  });
  if (more > 0) issues.push(`deviceUids: ... and ${more} more invalid device ids`);
  return { ids: [...ids], issues };
}

function checkMessage(request: OperationRequest): string[] {
  const { operation } = request;
  return messageProblems(operation, request).map((problem) => {
    if (problem.kind === 'missing') return `message: ${operation} needs a message`;
    if (problem.kind === 'tooLong')
      return `message: ${problem.length} characters; ${operation} allows at most ${problem.maxLength}`;
    return `tel/email: ${operation} needs at least one contact (tel or email)`;
  });
}

function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = issuePath(issue)
    .map((key, index) =>
      typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${excerpt(String(key), 64)}`,
    )
    .join('');
  // An unknown key is named in the path and the message; a key could be anything, even an IMEI,
  // and as long as the body (the answer would echo a 1 MiB key twice).
  return maskExcerpt(`${path || 'body'}: ${issue.message}`, MAX_ISSUE_CHARS);
}

function capIssues(issues: string[]): string[] {
  if (issues.length <= MAX_ISSUES + 1) return issues;
  return [...issues.slice(0, MAX_ISSUES), `... and ${issues.length - MAX_ISSUES} more issues`];
}
