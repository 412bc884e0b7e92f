/**
 * The Knox Webhook Notification payload envelope: the ONE module that knows its shape.
 *
 * Samsung does not publish the callback schema for Knox Guard events. The one public Knox Guard
 * receiver found (knox-api-evidence.md §4, one client) expects
 * `{ subscriptionId, event, payload: { deviceUid | imei | imei2, objectId | knoxObjectId,
 * deviceStatus, lastUpdatedAt, tenantDomain } }`, one device per callback; this reads that shape
 * and, defensively, the others this project guessed before, naming every guess here: the event
 * type from `eventType`, `event`, `eventName` or `type`; an id from `eventId`, `notificationId`,
 * `messageId` or `id`; a time from `timestamp`, `eventTime`, `occurredAt`, `lastUpdatedAt`,
 * `createdAt` or `time` (epoch seconds or milliseconds, or ISO text); per-device results from a
 * list under `resultList`, `deviceList`, `devices` or `results` (at the top or under `data` /
 * `payload`), or a single device at the top or under `data` / `payload`, named by `deviceUid`,
 * `imei`, `imei2`, `objectId` or `knoxObjectId`. A body may hold one event, an array of events,
 * or `{ events: [...] }`. Unknown fields are ignored.
 */
import { createHash } from 'node:crypto';
import { type DeviceResult, decodeDeviceResult, failureFromEnvelope, type KnoxGuardError } from '../errors';

/** The Knox Guard events Knox Webhook Notification sends. */
export const KnoxEventType = {
  deviceEnrolled: 'KG_DEVICE_ENROLLED',
  deviceLocked: 'KG_DEVICE_LOCKED',
  deviceUnlocked: 'KG_DEVICE_UNLOCKED',
  relockTimestampApplied: 'KG_DEVICE_RELOCK_TIMESTAMP_APPLIED',
} as const;
export type KnoxEventType = (typeof KnoxEventType)[keyof typeof KnoxEventType];

/** One device's outcome inside a notification, decoded with the shared error library. */
export interface KnoxNotificationDevice {
  /** `deviceUid`, else `imei`, else `imei2` (Knox Guard's deviceUid is the IMEI or serial). */
  readonly deviceUid?: string;
  /** `objectId`, else `knoxObjectId`. */
  readonly objectId?: string;
  /** The device's Knox Guard status after the event (`Locked`, `Active`, ...), as sent. */
  readonly deviceStatus?: string;
  /** `ok: false` carries a classified `KnoxGuardError`, as for any Knox Guard answer. */
  readonly result: DeviceResult;
}

export interface KnoxNotificationEvent {
  /** The event type as sent ('UNKNOWN' when absent). */
  readonly eventType: string;
  /** Whether `eventType` is one of the four Knox Guard events. */
  readonly known: boolean;
  /**
   * The id to name this event by (run id, logs): Knox's id from the body, else the callback's
   * `x-knox-nonce`, else its `x-wsm-traceid` (suffixed `#<index>` when the body holds several
   * events), else the `dedupeKey`.
   */
  readonly eventId: string;
  /** Where `eventId` came from. */
  readonly eventIdSource: 'body' | 'x-knox-nonce' | 'x-wsm-traceid' | 'content';
  /** True when the body carries no id of its own (`eventId` is not Knox's event id). */
  readonly eventIdDerived: boolean;
  /**
   * The key redeliveries and replays of this event share: Knox's id from the body, else
   * `sha256:<hex>` of the event (independent of key order). Only signed content goes into it:
   * the headers are not covered by the signature, so a replay with a new nonce has the same key.
   */
  readonly dedupeKey: string;
  /** The KWN subscription the callback belongs to, when sent. */
  readonly subscriptionId?: string;
  /** The tenant's Knox domain, when sent. */
  readonly tenantDomain?: string;
  /** When the event happened, ISO 8601, when the payload says so. */
  readonly occurredAt?: string;
  readonly devices: readonly KnoxNotificationDevice[];
  /** An event-level failure (`result: FAIL` with an `error` outside any device entry). */
  readonly error?: KnoxGuardError;
}

export type ParseKnoxNotificationResult =
  | {
      readonly ok: true;
      readonly events: readonly KnoxNotificationEvent[];
      /**
       * Each event's JSON object as sent, in the same order, with its position: what the webhook
       * queues, so the consumer reads the signed content itself (`parseKnoxEventRecord`).
       */
      readonly records: readonly KnoxEventRecord[];
    }
  | { readonly ok: false; readonly issues: string[] };

const TYPE_KEYS = ['eventType', 'event', 'eventName', 'type'] as const;
const ID_KEYS = ['eventId', 'notificationId', 'messageId', 'id'] as const;
const TIME_KEYS = ['timestamp', 'eventTime', 'occurredAt', 'lastUpdatedAt', 'createdAt', 'time'] as const;
const DEVICE_UID_KEYS = ['deviceUid', 'imei', 'imei2'] as const;
const OBJECT_ID_KEYS = ['objectId', 'knoxObjectId'] as const;
const LIST_KEYS = ['resultList', 'deviceList', 'devices', 'results'] as const;
const NESTED_KEYS = ['data', 'payload'] as const;
const MAX_EVENTS = 1000;
const MAX_ID_LENGTH = 200;

/** One event of a callback as sent: its JSON object and where it stood in the body. */
export interface KnoxEventRecord {
  /** Its index in the body's event list (0 for a body holding one event). */
  readonly index: number;
  /** How many events the body held. */
  readonly total: number;
  readonly record: Readonly<Record<string, unknown>>;
}

/** What the callback's headers add to the body (see `verifyKnoxCallback`). */
export interface KnoxNotificationContext {
  /** The `x-knox-nonce` header. */
  readonly nonce?: string;
  /** The `x-wsm-traceid` header. */
  readonly traceId?: string;
}

/**
 * Parses a verified Knox Webhook Notification body into typed events, each with an id, a dedupe
 * key and per-device results decoded by `decodeDeviceResult` (so a failed lock reads like any
 * other Knox Guard error). Never throws; only a body that is not an object or array of objects
 * is refused.
 *
 * @param json the verified payload, parsed
 * @param context the callback's nonce and trace id, preferred over a content hash as `eventId`
 * @example
 * const parsed = parseKnoxNotification(JSON.parse(payload), { nonce: verified.nonce });
 * if (parsed.ok) for (const event of parsed.events) console.log(event.eventType, event.devices.length);
 */
export function parseKnoxNotification(
  json: unknown,
  context: KnoxNotificationContext = {},
): ParseKnoxNotificationResult {
  try {
    return parse(json, context);
  } catch {
    return { ok: false, issues: ['body: could not be read as a Knox Webhook Notification'] };
  }
}

function parse(json: unknown, context: KnoxNotificationContext): ParseKnoxNotificationResult {
  const list = Array.isArray(json)
    ? json
    : isRecord(json) && Array.isArray(json.events)
      ? json.events
      : [json];
  if (list.length === 0) return { ok: false, issues: ['body: holds no event'] };
  if (list.length > MAX_EVENTS) return { ok: false, issues: [`body: more than ${MAX_EVENTS} events`] };
  const events: KnoxNotificationEvent[] = [];
  const records: KnoxEventRecord[] = [];
  for (const [index, item] of list.entries()) {
    if (!isRecord(item))
      return { ok: false, issues: [`${Array.isArray(json) ? `[${index}]` : 'body'}: must be a JSON object`] };
    const record = { index, total: list.length, record: item };
    records.push(record);
    events.push(parseKnoxEventRecord(record, context));
  }
  return { ok: true, events, records };
}

/**
 * Reads one event of a callback from its JSON object and position, exactly as
 * `parseKnoxNotification` read it in the whole body (same `eventId`, same `dedupeKey`): the
 * consumer of the Knox events queue names and deduplicates an event as the webhook did. Throws
 * only on what `parseKnoxNotification` never produces (a record that is not an object).
 *
 * @example
 * const event = parseKnoxEventRecord({ index: 0, total: 1, record: { event: 'KG_DEVICE_LOCKED' } }, { nonce });
 */
export function parseKnoxEventRecord(
  entry: KnoxEventRecord,
  context: KnoxNotificationContext = {},
): KnoxNotificationEvent {
  if (!isRecord(entry.record)) throw new TypeError('a Knox event record must be a JSON object');
  return readEvent(entry.record, entry.total === 1 ? undefined : entry.index, context);
}

function readEvent(
  record: Record<string, unknown>,
  index: number | undefined,
  context: KnoxNotificationContext,
): KnoxNotificationEvent {
  const nested = NESTED_KEYS.map((key) => record[key]).filter(isRecord);
  const sources = [record, ...nested];
  const eventType = firstString(sources, TYPE_KEYS)?.slice(0, MAX_ID_LENGTH) ?? 'UNKNOWN';
  const givenId = firstString(sources, ID_KEYS)?.slice(0, MAX_ID_LENGTH);
  const occurredAt = firstTime(sources);
  const devices = readDevices(sources);
  const error = devices.length === 0 ? eventError(record) : undefined;
  const subscriptionId = firstString(sources, ['subscriptionId'])?.slice(0, MAX_ID_LENGTH);
  const tenantDomain = firstString(sources, ['tenantDomain'])?.slice(0, MAX_ID_LENGTH);
  const dedupeKey = givenId ?? `sha256:${createHash('sha256').update(canonicalJson(record)).digest('hex')}`;
  const headerId = (value: string | undefined) =>
    value === undefined || value === ''
      ? undefined
      : `${value.slice(0, MAX_ID_LENGTH)}${index === undefined ? '' : `#${index}`}`;
  const nonceId = headerId(context.nonce);
  const traceId = headerId(context.traceId);
  const [eventId, eventIdSource] =
    givenId !== undefined
      ? ([givenId, 'body'] as const)
      : nonceId !== undefined
        ? ([nonceId, 'x-knox-nonce'] as const)
        : traceId !== undefined
          ? ([traceId, 'x-wsm-traceid'] as const)
          : ([dedupeKey, 'content'] as const);
  return {
    eventType,
    known: (Object.values(KnoxEventType) as string[]).includes(eventType),
    eventId,
    eventIdSource,
    eventIdDerived: givenId === undefined,
    dedupeKey,
    ...(subscriptionId === undefined ? {} : { subscriptionId }),
    ...(tenantDomain === undefined ? {} : { tenantDomain }),
    ...(occurredAt === undefined ? {} : { occurredAt }),
    devices,
    ...(error === undefined ? {} : { error }),
  };
}

function readDevices(sources: readonly Record<string, unknown>[]): KnoxNotificationDevice[] {
  for (const source of sources) {
    for (const key of LIST_KEYS) {
      const list = source[key];
      if (Array.isArray(list)) return list.map((item, index) => readDevice(item, index));
    }
  }
  const single = sources.find((source) =>
    [...DEVICE_UID_KEYS, ...OBJECT_ID_KEYS].some((key) => source[key] !== undefined),
  );
  return single === undefined ? [] : [readDevice(single, 0)];
}

function readDevice(item: unknown, index: number): KnoxNotificationDevice {
  if (!isRecord(item)) return { result: decodeDeviceResult(item, index) };
  const deviceUid = firstString([item], [...DEVICE_UID_KEYS, 'requestedId']);
  const objectId = firstString([item], OBJECT_ID_KEYS);
  const deviceStatus = idOf(item.deviceStatus)?.slice(0, MAX_ID_LENGTH);
  // A device entry without `result` or `error` in a completion event reports that it happened.
  const requestedId = deviceUid ?? objectId;
  const entry = {
    ...item,
    ...(item.result === undefined && item.error === undefined ? { result: 'SUCCESS' } : {}),
    ...(requestedId === undefined ? {} : { requestedId }),
  };
  return {
    ...(deviceUid === undefined ? {} : { deviceUid }),
    ...(objectId === undefined ? {} : { objectId }),
    ...(deviceStatus === undefined ? {} : { deviceStatus }),
    result: decodeDeviceResult(entry, index),
  };
}

function eventError(record: Record<string, unknown>): KnoxGuardError | undefined {
  const failed = typeof record.result === 'string' && record.result.toUpperCase() === 'FAIL';
  const error = record.error;
  if (!failed && !isRecord(error)) return undefined;
  const envelope = isRecord(error) ? { code: error.code, message: error.message, reason: error.reason } : {};
  return failureFromEnvelope(envelope, 200);
}

function firstString(
  sources: readonly Record<string, unknown>[],
  keys: readonly string[],
): string | undefined {
  for (const source of sources) {
    for (const key of keys) {
      const value = idOf(source[key]);
      if (value !== undefined) return value;
    }
  }
  return undefined;
}

function firstTime(sources: readonly Record<string, unknown>[]): string | undefined {
  for (const source of sources) {
    for (const key of TIME_KEYS) {
      const time = toIso(source[key]);
      if (time !== undefined) return time;
    }
  }
  return undefined;
}

function toIso(value: unknown): string | undefined {
  let millis: number | undefined;
  const numeric = typeof value === 'string' && /^\d{9,14}$/.test(value.trim()) ? Number(value) : value;
  if (typeof numeric === 'number' && Number.isFinite(numeric) && numeric > 0) {
    // Below 10^11 it can only be seconds (10^11 ms is 1973; 10^11 s is the year 5138).
    millis = numeric < 1e11 ? numeric * 1000 : numeric;
  } else if (typeof value === 'string' && value.length <= 64) {
    const parsed = Date.parse(value);
    if (!Number.isNaN(parsed)) millis = parsed;
  }
  if (millis === undefined || millis > 8.64e15) return undefined;
  return new Date(millis).toISOString();
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * JSON with object keys sorted at every level, so the same event always hashes the same. Built
 * with an explicit stack, not recursion: a record nested deeper than the call stack (a queue
 * message the webhook's depth limit did not write) must hash like any other, not throw a
 * RangeError that sends its message to the DLQ.
 */
function canonicalJson(root: unknown): string {
  const out: string[] = [];
  // What is still to write, last first: literal text, or a value to expand.
  const todo: ({ readonly text: string } | { readonly value: unknown })[] = [{ value: root }];
  for (let item = todo.pop(); item !== undefined; item = todo.pop()) {
    if ('text' in item) {
      out.push(item.text);
      continue;
    }
    const { value } = item;
    const parts: ({ readonly text: string } | { readonly value: unknown })[] = [];
    if (Array.isArray(value)) {
      parts.push({ text: '[' });
      for (let i = 0; i < value.length; i += 1) {
        if (i > 0) parts.push({ text: ',' });
        parts.push({ value: value[i] });
      }
      parts.push({ text: ']' });
    } else if (isRecord(value)) {
      parts.push({ text: '{' });
      for (const [i, key] of Object.keys(value).sort().entries())
        parts.push({ text: `${i > 0 ? ',' : ''}${JSON.stringify(key)}:` }, { value: value[key] });
      parts.push({ text: '}' });
    } else {
      out.push(JSON.stringify(value) ?? 'null');
      continue;
    }
    for (let i = parts.length - 1; i >= 0; i -= 1) todo.push(parts[i] as (typeof parts)[number]);
  }
  return out.join('');
}
