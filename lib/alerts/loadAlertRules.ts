// valibot: its functions tree-shake and a schema is a plain object, cheap to build at cold start.
import * as v from 'valibot';
import { formatIssues, nonArray } from '../validation';
import { RuleAction } from './constants';
import { DEFAULT_INHIBIT_SOURCES } from './defaultCodeRules';
import { AlertRulesError } from './errors';
import { isKnownCodeReference } from './knownCodes';
import { parseDuration } from './parseDuration';

/** The knobs a rule sets for one code; every duration is in milliseconds once loaded. */
export interface RuleSettings {
  readonly action: RuleAction;
  /** How long a condition must persist before the first alert (0: at once). */
  readonly persistFor: number;
  /** How long after a notification a condition that is still there is notified again. */
  readonly repeatInterval: number;
  /** How long a group must be quiet (with successes seen since) before it resolves. */
  readonly resolveAfter: number;
  /** Whether admins get a "resolved" message when the condition clears. */
  readonly sendResolved: boolean;
}

/** Mutes a known condition until a point in time. */
export interface Silence {
  readonly code: string;
  readonly job?: string | undefined;
  readonly stage?: string | undefined;
  /** Epoch milliseconds. */
  readonly until: number;
  readonly comment?: string | undefined;
}

/** While a source code is firing, target codes with equal labels are not alerted or digested. */
export interface Inhibition {
  readonly sources: readonly string[];
  /** Target codes; `undefined` means every per-device code. */
  readonly targets?: readonly string[] | undefined;
  readonly equal: readonly ('stage' | 'job')[];
}

/** Loaded, validated alert rules with defaults applied. Build it with `loadAlertRules`. */
export interface AlertRules {
  readonly defaults: Omit<RuleSettings, 'action'> & {
    readonly maxSamples: number;
    /**
     * The longest a worker may hold the send claim of a group before another may take it; shorter
     * still when the claiming invocation ends sooner. Kept under Lambda's first async retry (+1 min).
     */
    readonly claimLease: number;
    /** How long state items are kept after they were last touched (DynamoDB TTL). */
    readonly stateTtl: number;
  };
  readonly codes: Readonly<Record<string, Partial<RuleSettings>>>;
  readonly overrides: readonly (Partial<RuleSettings> & {
    readonly job?: string | undefined;
    readonly stage?: string | undefined;
    readonly code?: string | undefined;
  })[];
  readonly silences: readonly Silence[];
  readonly inhibitions: readonly Inhibition[];
}

const duration = v.pipe(
  v.union([v.number(), v.string()]),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const ms = parseDuration(dataset.value);
    if (ms === undefined) {
      addIssue({
        message: `expected a duration such as '90s', '15m', '4h', '7d' or milliseconds, got ${JSON.stringify(dataset.value)}`,
      });
      return NEVER;
    }
    return ms;
  }),
);

function unknownCode(input: unknown): string {
  return `unknown code ${JSON.stringify(input)}: use a catalog name such as LICENSE_IS_LACK, an HTTP status name, TIMEOUT / TRANSPORT_ERROR / MALFORMED_RESPONSE, HTTP_nnn or a numeric Knox code`;
}

const codeReference = v.pipe(
  v.string(),
  v.check(isKnownCodeReference, (issue) => unknownCode(issue.input)),
);

const action = v.picklist([RuleAction.alert, RuleAction.digest, RuleAction.ignore]);

const settingsShape = {
  action: v.optional(action),
  persistFor: v.optional(duration),
  repeatInterval: v.optional(duration),
  resolveAfter: v.optional(duration),
  sendResolved: v.optional(v.boolean()),
};

const isoDate = v.pipe(
  v.string(),
  v.check(
    (text) => /^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(Date.parse(text)),
    (issue) => `expected an ISO date such as 2026-12-31T00:00:00Z, got ${JSON.stringify(issue.input)}`,
  ),
  v.transform((text: string) => Date.parse(text)),
);

const nonEmpty = v.pipe(v.string(), v.minLength(1));

const schema = nonArray(
  v.strictObject({
    defaults: v.optional(
      nonArray(
        v.strictObject({
          repeatInterval: v.optional(duration, 4 * 3_600_000),
          resolveAfter: v.optional(duration, 15 * 60_000),
          persistFor: v.optional(duration, 0),
          sendResolved: v.optional(v.boolean(), true),
          maxSamples: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10)), 3),
          claimLease: v.optional(duration, 50_000),
          stateTtl: v.optional(duration, 14 * 86_400_000),
        }),
      ),
      {},
    ),
    codes: v.optional(
      v.pipe(
        nonArray(v.record(v.string(), nonArray(v.strictObject(settingsShape)))),
        v.rawCheck(({ dataset, addIssue }) => {
          // Checked once the settings are well-typed (not as the record's key schema), so an
          // unknown code is reported at its path only when its settings are otherwise fine.
          if (!dataset.typed) return;
          for (const [key, value] of Object.entries(dataset.value)) {
            if (!isKnownCodeReference(key)) {
              addIssue({
                message: unknownCode(key),
                path: [{ type: 'object', origin: 'value', input: dataset.value, key, value }],
              });
            }
          }
        }),
      ),
      {},
    ),
    overrides: v.optional(
      v.array(
        nonArray(
          v.strictObject({
            job: v.optional(nonEmpty),
            stage: v.optional(nonEmpty),
            code: v.optional(codeReference),
            ...settingsShape,
          }),
        ),
      ),
      [],
    ),
    silences: v.optional(
      v.array(
        v.strictObject({
          code: codeReference,
          job: v.optional(nonEmpty),
          stage: v.optional(nonEmpty),
          until: isoDate,
          comment: v.optional(v.string()),
        }),
      ),
      [],
    ),
    inhibitions: v.optional(
      v.array(
        v.strictObject({
          sources: v.pipe(v.array(codeReference), v.minLength(1)),
          targets: v.optional(v.pipe(v.array(codeReference), v.minLength(1))),
          equal: v.optional(v.array(v.picklist(['stage', 'job'])), ['stage']),
        }),
      ),
      [
        { sources: [...DEFAULT_INHIBIT_SOURCES], equal: ['stage'] },
        // A run given up because the tenant cannot call Knox Guard at all: the firing tenant-wide
        // alert already says what broke, for this job; a second critical message adds nothing.
        { sources: [...DEFAULT_INHIBIT_SOURCES], targets: ['SCHEDULED_RUN_FAILED'], equal: ['stage', 'job'] },
      ],
    ),
  }),
);

/** The rules config as operators write it (YAML or JSON), before defaults and validation. */
export type AlertRulesInput = v.InferInput<typeof schema>;

/**
 * Validates an alert rules config (parsed YAML or JSON) and applies the defaults: repeat every
 * 4 h, resolve after 15 min of quiet, send resolved messages, 3 masked samples, and the default
 * inhibition (tenant-wide failures mute per-device ones in the same stage). Throws an
 * `AlertRulesError` naming every bad path, so a broken config fails at load, not at 3 a.m.
 *
 * @example
 * const rules = loadAlertRules({
 *   defaults: { repeatInterval: '4h' },
 *   codes: { DEVICE_NOT_FOUND: { action: 'ignore' } },
 *   overrides: [{ job: 'licence-health', stage: 'prod', repeatInterval: '1h' }],
 *   silences: [{ code: 'LICENSE_IS_LACK', job: 'overdue-lock', until: '2026-12-01T00:00:00Z' }],
 * });
 */
export function loadAlertRules(raw: unknown = {}): AlertRules {
  const result = v.safeParse(schema, raw ?? {});
  if (!result.success) {
    throw new AlertRulesError(formatIssues(result.issues), { cause: new v.ValiError(result.issues) });
  }
  return result.output;
}
