import * as z from 'zod';
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

const duration = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a duration such as '90s', '15m', '4h', '7d' or milliseconds, got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return ms;
});

function unknownCode(input: unknown): string {
  return `unknown code ${JSON.stringify(input)}: use a catalog name such as LICENSE_IS_LACK, an HTTP status name, TIMEOUT / TRANSPORT_ERROR / MALFORMED_RESPONSE, HTTP_nnn or a numeric Knox code`;
}

const codeReference = z.string().refine(isKnownCodeReference, { error: (issue) => unknownCode(issue.input) });

const action = z.enum([RuleAction.alert, RuleAction.digest, RuleAction.ignore]);

const settingsShape = {
  action: action.optional(),
  persistFor: duration.optional(),
  repeatInterval: duration.optional(),
  resolveAfter: duration.optional(),
  sendResolved: z.boolean().optional(),
};

const isoDate = z
  .string()
  .refine((text) => /^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(Date.parse(text)), {
    error: (issue) => `expected an ISO date such as 2026-12-31T00:00:00Z, got ${JSON.stringify(issue.input)}`,
  })
  .transform((text) => Date.parse(text));

const schema = z.strictObject({
  defaults: z
    .strictObject({
      repeatInterval: duration.default(4 * 3_600_000),
      resolveAfter: duration.default(15 * 60_000),
      persistFor: duration.default(0),
      sendResolved: z.boolean().default(true),
      maxSamples: z.number().int().min(0).max(10).default(3),
      claimLease: duration.default(5 * 60_000),
      stateTtl: duration.default(14 * 86_400_000),
    })
    .prefault({}),
  codes: z
    .record(z.string(), z.strictObject(settingsShape))
    .superRefine((codes, ctx) => {
      // Checked here rather than as the record's key schema, whose errors only say "Invalid key".
      for (const key of Object.keys(codes)) {
        if (!isKnownCodeReference(key))
          ctx.addIssue({ code: 'custom', path: [key], message: unknownCode(key) });
      }
    })
    .default({}),
  overrides: z
    .array(
      z.strictObject({
        job: z.string().min(1).optional(),
        stage: z.string().min(1).optional(),
        code: codeReference.optional(),
        ...settingsShape,
      }),
    )
    .default([]),
  silences: z
    .array(
      z.strictObject({
        code: codeReference,
        job: z.string().min(1).optional(),
        stage: z.string().min(1).optional(),
        until: isoDate,
        comment: z.string().optional(),
      }),
    )
    .default([]),
  inhibitions: z
    .array(
      z.strictObject({
        sources: z.array(codeReference).min(1),
        targets: z.array(codeReference).min(1).optional(),
        equal: z.array(z.enum(['stage', 'job'])).default(['stage']),
      }),
    )
    .default([{ sources: [...DEFAULT_INHIBIT_SOURCES], equal: ['stage'] }]),
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
