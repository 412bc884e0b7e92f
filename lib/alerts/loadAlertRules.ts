// zod/mini: its functions tree-shake where classic zod's methods kept ~99 KB in every bundle;
// lib/validation gives it classic zod's English messages.
import * as z from 'zod/mini';
import '../validation';
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
    /** How long a worker may hold the send claim of a group before another worker may take it. */
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

const duration = z.pipe(
  z.union([z.number(), z.string()]),
  z.transform((value: number | string, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      // zod/mini's transform context has no addIssue helper; the issue gets its path on the way up.
      ctx.issues.push({
        code: 'custom',
        message: `expected a duration such as '90s', '15m', '4h', '7d' or milliseconds, got ${JSON.stringify(value)}`,
        input: value,
      });
      return z.NEVER;
    }
    return ms;
  }),
);

function unknownCode(input: unknown): string {
  return `unknown code ${JSON.stringify(input)}: use a catalog name such as LICENSE_IS_LACK, an HTTP status name, TIMEOUT / TRANSPORT_ERROR / MALFORMED_RESPONSE, HTTP_nnn or a numeric Knox code`;
}

const codeReference = z
  .string()
  .check(z.refine(isKnownCodeReference, { error: (issue) => unknownCode(issue.input) }));

const action = z.enum([RuleAction.alert, RuleAction.digest, RuleAction.ignore]);

const settingsShape = {
  action: z.optional(action),
  persistFor: z.optional(duration),
  repeatInterval: z.optional(duration),
  resolveAfter: z.optional(duration),
  sendResolved: z.optional(z.boolean()),
};

const isoDate = z.pipe(
  z.string().check(
    z.refine((text) => /^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(Date.parse(text)), {
      error: (issue) =>
        `expected an ISO date such as 2026-12-31T00:00:00Z, got ${JSON.stringify(issue.input)}`,
    }),
  ),
  z.transform((text: string) => Date.parse(text)),
);

const nonEmpty = z.string().check(z.minLength(1));

const schema = z.strictObject({
  defaults: z.prefault(
    z.strictObject({
      repeatInterval: z._default(duration, 4 * 3_600_000),
      resolveAfter: z._default(duration, 15 * 60_000),
      persistFor: z._default(duration, 0),
      sendResolved: z._default(z.boolean(), true),
      maxSamples: z._default(z.number().check(z.int(), z.gte(0), z.lte(10)), 3),
      claimLease: z._default(duration, 5 * 60_000),
      stateTtl: z._default(duration, 14 * 86_400_000),
    }),
    {},
  ),
  codes: z._default(
    z.record(z.string(), z.strictObject(settingsShape)).check(
      z.superRefine((codes, ctx) => {
        // Checked here rather than as the record's key schema, whose errors only say "Invalid key".
        for (const key of Object.keys(codes)) {
          if (!isKnownCodeReference(key))
            ctx.addIssue({ code: 'custom', path: [key], message: unknownCode(key) });
        }
      }),
    ),
    {},
  ),
  overrides: z._default(
    z.array(
      z.strictObject({
        job: z.optional(nonEmpty),
        stage: z.optional(nonEmpty),
        code: z.optional(codeReference),
        ...settingsShape,
      }),
    ),
    [],
  ),
  silences: z._default(
    z.array(
      z.strictObject({
        code: codeReference,
        job: z.optional(nonEmpty),
        stage: z.optional(nonEmpty),
        until: isoDate,
        comment: z.optional(z.string()),
      }),
    ),
    [],
  ),
  inhibitions: z._default(
    z.array(
      z.strictObject({
        sources: z.array(codeReference).check(z.minLength(1)),
        targets: z.optional(z.array(codeReference).check(z.minLength(1))),
        equal: z._default(z.array(z.enum(['stage', 'job'])), ['stage']),
      }),
    ),
    [{ sources: [...DEFAULT_INHIBIT_SOURCES], equal: ['stage'] }],
  ),
});

/** The rules config as operators write it (YAML or JSON), before defaults and validation. */
export type AlertRulesInput = z.input<typeof schema>;

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
  const result = schema.safeParse(raw ?? {});
  if (!result.success) {
    const issues = result.error.issues.map((issue) => {
      const path = issue.path.map(String).join('.');
      return `${path || '(root)'}: ${issue.message}`;
    });
    throw new AlertRulesError(issues, { cause: result.error });
  }
  return result.data;
}
