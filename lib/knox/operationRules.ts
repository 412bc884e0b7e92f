import type { DeviceOperation } from './constants';

/**
 * How sure we are of a fact about the Knox Guard API (the legend of docs/knox-api-evidence.md):
 * a docs.samsungknox.com page states it, two or more independent clients that call the live API
 * do it, one client does it, or nothing was found and the value is ours.
 */
export const Evidence = {
  official: 'official',
  clients: '2+ clients',
  client: '1 client',
  assumed: 'assumed',
} as const;
export type Evidence = (typeof Evidence)[keyof typeof Evidence];

/** One body field an operation may send besides the device address. */
export interface BodyField {
  readonly type: 'string' | 'number' | 'boolean' | 'number[]';
  readonly required?: boolean;
  /** Most characters (code points) for strings. */
  readonly maxLength?: number;
  /** Sent by the client when the caller gives none (only where Knox requires the field). */
  readonly default?: string | number | boolean;
  readonly evidence: Evidence;
  readonly note?: string;
}

/** Everything the client, config validation, webhook validation and the simulator know of one operation. */
export interface OperationRule {
  /** Body fields besides the device address (deviceUid / objectId / approveId, or the async id list). */
  readonly fields: Readonly<Record<string, BodyField>>;
  /** At least one of `tel` / `email` must be given. */
  readonly contactRequired: boolean;
  /** Evidence for the operation's paths (sync, async). */
  readonly evidence: { readonly sync: Evidence; readonly async?: Evidence };
}

// Facts and sources: docs/knox-api-evidence.md §5 (limits) and discrepancies 8, 11 and 17.
const contact = {
  tel: { type: 'string', evidence: Evidence.official },
  email: { type: 'string', evidence: Evidence.official },
} as const satisfies Record<string, BodyField>;
/** Optional text on unlock and complete: no length is documented, lock's 350 is assumed. */
const optionalMessage = {
  message: {
    type: 'string',
    maxLength: 350,
    evidence: Evidence.client,
    note: 'length limit assumed (lock 350)',
  },
} as const satisfies Record<string, BodyField>;

/**
 * The one table of per-operation body fields, lengths and contact rules; client validation
 * (`validateOperation`), jobs.yml validation, webhook operation requests and the simulator all
 * read it. Sources: lock 350 characters for normal tenants (PAYG tenants: 200) and the contact rule
 * are on Samsung's admin pages (KG-1.2, the PAYG lock-screen page); blink 200 and `interval` come
 * from PyKnox and AIDOO; sendMessage's 350 has no source (assumed); the unit of blink `interval`
 * is unknown.
 *
 * @example
 * OPERATION_RULES.blink.fields.message.maxLength; // 200
 */
export const OPERATION_RULES = {
  lock: {
    fields: {
      message: { type: 'string', required: true, maxLength: 350, evidence: Evidence.official },
      ...contact,
    },
    contactRequired: true,
    evidence: { sync: Evidence.clients, async: Evidence.client },
  },
  unlock: {
    fields: { ...optionalMessage },
    contactRequired: false,
    evidence: { sync: Evidence.clients, async: Evidence.client },
  },
  blink: {
    fields: {
      message: { type: 'string', required: true, maxLength: 200, evidence: Evidence.clients },
      ...contact,
      interval: {
        type: 'number',
        required: true,
        default: 10,
        evidence: Evidence.clients,
        note: 'unit unknown; the default 10 is assumed',
      },
      timeLimitEnable: { type: 'boolean', evidence: Evidence.client },
      timeLimit: { type: 'number[]', evidence: Evidence.client, note: '[start, end]' },
      daysLimitEnable: { type: 'boolean', evidence: Evidence.client },
      daysLimit: { type: 'number', evidence: Evidence.client, note: 'type assumed' },
    },
    contactRequired: true,
    evidence: { sync: Evidence.clients, async: Evidence.client },
  },
  sendMessage: {
    fields: {
      message: {
        type: 'string',
        required: true,
        maxLength: 350,
        evidence: Evidence.assumed,
        note: 'no source for the limit',
      },
      ...contact,
      enableFullscreen: { type: 'boolean', evidence: Evidence.client },
      messageType: { type: 'string', evidence: Evidence.client },
    },
    contactRequired: false,
    evidence: { sync: Evidence.clients, async: Evidence.client },
  },
  approve: {
    fields: {
      approveId: {
        type: 'string',
        maxLength: 100,
        evidence: Evidence.official,
        note: 'length limit assumed',
      },
      approveComment: { type: 'string', maxLength: 500, evidence: Evidence.client, note: 'length assumed' },
    },
    contactRequired: false,
    evidence: { sync: Evidence.official, async: Evidence.client },
  },
  reject: {
    fields: {},
    contactRequired: false,
    evidence: { sync: Evidence.clients, async: Evidence.client },
  },
  complete: {
    fields: { ...optionalMessage },
    contactRequired: false,
    evidence: { sync: Evidence.clients, async: Evidence.client },
  },
  cancelComplete: { fields: {}, contactRequired: false, evidence: { sync: Evidence.client } },
  delete: {
    fields: {},
    contactRequired: false,
    evidence: { sync: Evidence.clients, async: Evidence.client },
  },
} as const satisfies Record<Exclude<DeviceOperation, 'accept'>, OperationRule>;

export type RuledOperation = keyof typeof OPERATION_RULES;

/**
 * The rules of `operation`; `accept` (no source) is an alias of `approve`.
 *
 * @example
 * operationRule('accept') === OPERATION_RULES.approve; // true
 */
export function operationRule(operation: DeviceOperation): OperationRule {
  return OPERATION_RULES[operation === 'accept' ? 'approve' : operation];
}

type RuleFields = { [O in RuledOperation]: (typeof OPERATION_RULES)[O]['fields'] };
/** The name of a body field some operation takes (`message`, `tel`, `interval`, `approveComment`, ...). */
export type OperationFieldName = { [O in RuledOperation]: keyof RuleFields[O] }[RuledOperation];
type FieldTypeOf<K extends OperationFieldName> = {
  [O in RuledOperation]: K extends keyof RuleFields[O]
    ? RuleFields[O][K] extends { readonly type: infer T extends BodyField['type'] }
      ? T
      : never
    : never;
}[RuledOperation];
/** The TypeScript type of a `BodyField['type']`. */
export type FieldValue<T extends BodyField['type']> = T extends 'string'
  ? string
  : T extends 'number'
    ? number
    : T extends 'boolean'
      ? boolean
      : readonly number[];

/**
 * Body fields of the operations, derived from `OPERATION_RULES` (which operation takes which, its
 * type and length): a field added to a row there is a field here, in the chunk message schema and
 * in the contract. Fields an operation does not take are not sent.
 *
 * @example
 * const params: OperationParams = { message: 'Payment overdue', tel: '+15550100', interval: 10 };
 */
export type OperationParams = { readonly [K in OperationFieldName]?: FieldValue<FieldTypeOf<K>> };

/**
 * Every body field any operation takes, name -> type, in the order `OPERATION_RULES` first names
 * them (lock's message, tel, email; blink's interval, ...). A field two operations take has one
 * type in both (a test keeps them in step).
 *
 * @example
 * OPERATION_FIELDS.interval; // 'number'
 */
export const OPERATION_FIELDS = Object.fromEntries(
  Object.values(OPERATION_RULES).flatMap((rule) =>
    Object.entries(rule.fields as Readonly<Record<string, BodyField>>).map(([name, field]) => [
      name,
      field.type,
    ]),
  ),
) as { readonly [K in OperationFieldName]: FieldTypeOf<K> };

/**
 * Whether `value` has a body field's `type`: finite numbers only (JSON has no NaN), arrays of
 * finite numbers for `number[]`.
 *
 * @example
 * matchesFieldType([9, 18], 'number[]'); // true
 * matchesFieldType('10', 'number');      // false
 */
export function matchesFieldType(value: unknown, type: BodyField['type']): boolean {
  if (type === 'number[]') return Array.isArray(value) && value.every((n) => Number.isFinite(n));
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value);
  return typeof value === type;
}

/** The operations whose `message` is required, with its limit and contact rule (derived from `OPERATION_RULES`). */
export const MESSAGE_RULES = {
  lock: { maxLength: OPERATION_RULES.lock.fields.message.maxLength, contactRequired: true },
  blink: { maxLength: OPERATION_RULES.blink.fields.message.maxLength, contactRequired: true },
  sendMessage: { maxLength: OPERATION_RULES.sendMessage.fields.message.maxLength, contactRequired: false },
} as const satisfies Partial<Record<DeviceOperation, { maxLength: number; contactRequired: boolean }>>;

/** What is wrong with a request's message and contact against `MESSAGE_RULES`; each caller words it. */
export type MessageProblem =
  | { readonly kind: 'missing' }
  | { readonly kind: 'tooLong'; readonly length: number; readonly maxLength: number }
  | { readonly kind: 'noContact' };

/**
 * The message and contact problems of an operation that carries a message (lock, blink,
 * sendMessage): no message, a message over the limit (in code points, as the device shows it),
 * no `tel`/`email` where the operation needs one. Empty text counts as absent. Other operations
 * have none. One rule for jobs.yml validation and `POST /operations`; the client's own check is
 * `validateOperation`.
 *
 * @example
 * messageProblems('lock', { message: 'Pay now' }); // [{ kind: 'noContact' }]
 * messageProblems('blink', { message: 'x'.repeat(201), tel: '+15550100' });
 * // [{ kind: 'tooLong', length: 201, maxLength: 200 }]
 */
export function messageProblems(
  operation: string,
  { message, tel, email }: { readonly message?: string; readonly tel?: string; readonly email?: string },
): MessageProblem[] {
  if (!Object.hasOwn(MESSAGE_RULES, operation)) return [];
  const rule = MESSAGE_RULES[operation as keyof typeof MESSAGE_RULES];
  const problems: MessageProblem[] = [];
  // Knox counts what the device shows: code points, not UTF-16 units.
  const length = message ? [...message].length : 0;
  if (!message) problems.push({ kind: 'missing' });
  else if (length > rule.maxLength) problems.push({ kind: 'tooLong', length, maxLength: rule.maxLength });
  if (rule.contactRequired && !tel && !email) problems.push({ kind: 'noContact' });
  return problems;
}

/** Device address fields a sync call may carry; Samsung's Get-started page accepts any one (KG-start). */
export const DEVICE_ADDRESS_FIELDS = ['deviceUid', 'objectId', 'approveId'] as const;
export type DeviceAddressField = (typeof DEVICE_ADDRESS_FIELDS)[number];

/** Fields that have keys of their own beside `options` (a job's `message`/`contact`, a request's `message`/`tel`/`email`). */
const OWN_KEYS = new Set(['message', 'tel', 'email']);
/** Fields that name one device's billing record: only for a call about one device. */
const PER_DEVICE = new Set(['approveId']);

/**
 * Problems of an operation's optional body fields (`options`: blink `interval`, approve
 * `approveComment`, sendMessage `enableFullscreen`, ...) against its row of `OPERATION_RULES`: an
 * unknown field, a wrong type, a string over its `maxLength`, a field that has its own key, or a
 * per-device field (`approveId`) where `perDevice` is false. One home for the rule that jobs.yml
 * validation and `POST /operations` both apply. Returns one line per problem; empty when fine.
 *
 * @example
 * operationOptionIssues('blink', { interval: '10' }, { perDevice: false }); // ['interval must be a number']
 * operationOptionIssues('approve', { approveId: 'INV-4711' }, { perDevice: true }); // []
 */
export function operationOptionIssues(
  operation: DeviceOperation,
  options: Readonly<Record<string, unknown>>,
  { perDevice }: { readonly perDevice: boolean },
): string[] {
  const fields: Readonly<Record<string, BodyField>> = operationRule(operation).fields;
  const usable = (name: string): boolean => !OWN_KEYS.has(name) && (perDevice || !PER_DEVICE.has(name));
  const allowed = Object.keys(fields).filter(usable);
  const issues: string[] = [];
  for (const [name, value] of Object.entries(options)) {
    const field = fields[name];
    if (OWN_KEYS.has(name)) issues.push(`${name} has a key of its own, not an option`);
    else if (!perDevice && PER_DEVICE.has(name)) issues.push(`${name} is per device: only for one device`);
    else if (field === undefined)
      issues.push(`${operation} has no option ${name} (it takes: ${allowed.join(', ') || 'none'})`);
    else if (!matchesFieldType(value, field.type)) issues.push(`${name} must be a ${field.type}`);
    else if (
      typeof value === 'string' &&
      field.maxLength !== undefined &&
      [...value].length > field.maxLength
    )
      issues.push(`${name} is over ${field.maxLength} characters`);
  }
  return issues;
}
