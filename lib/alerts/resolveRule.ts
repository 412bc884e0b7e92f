import { Actor, type KnoxGuardFailure, Scope, Severity } from '../errors';
import { RuleAction } from './constants';
import { DEFAULT_CODE_RULES, DEFAULT_PERSIST_FOR } from './defaultCodeRules';
import type { AlertRules, RuleSettings } from './loadAlertRules';
import { parseDuration } from './parseDuration';

/** What the rules need to know about a failure: its code and classification. */
export type ClassifiedCode = Pick<
  KnoxGuardFailure,
  'code' | 'codeName' | 'scope' | 'actionable' | 'retryable' | 'severity' | 'actor'
>;

/** Where a failure happened. */
export interface AlertLabels {
  readonly stage: string;
  readonly job: string;
}

/**
 * Whether a rules entry (`LICENSE_IS_LACK` or `4001809`) names this failure's code.
 *
 * @example
 * codeMatches('4001809', { code: '4001809', codeName: 'LICENSE_IS_LACK' }); // true
 */
export function codeMatches(reference: string, failure: Pick<ClassifiedCode, 'code' | 'codeName'>): boolean {
  return reference === failure.codeName || reference === failure.code;
}

/**
 * The rule for one failure code in one job and stage. Layers, later ones winning: the
 * classification (per-device codes digest, actionable tenant-wide codes alert, transient server
 * codes alert once they persist, the rest is ignored), the built-in per-code table, the config's
 * `codes`, then every matching `overrides` entry in order.
 *
 * @example
 * resolveRule(loadAlertRules({}), { stage: 'prod', job: 'overdue-lock' }, knoxCode('DEVICE_NOT_FOUND')).action; // 'digest'
 */
export function resolveRule(rules: AlertRules, labels: AlertLabels, failure: ClassifiedCode): RuleSettings {
  const { defaults } = rules;
  let rule: RuleSettings = {
    action: classify(failure),
    persistFor: isTransient(failure) ? (parseDuration(DEFAULT_PERSIST_FOR) ?? 0) : defaults.persistFor,
    repeatInterval: defaults.repeatInterval,
    resolveAfter: defaults.resolveAfter,
    sendResolved: defaults.sendResolved,
  };
  const builtIn = (DEFAULT_CODE_RULES as Record<string, { action: RuleAction; persistFor?: string }>)[
    failure.codeName
  ];
  if (builtIn) {
    rule = {
      ...rule,
      action: builtIn.action,
      persistFor: builtIn.persistFor ? (parseDuration(builtIn.persistFor) ?? 0) : defaults.persistFor,
    };
  }
  rule = merge(rule, rules.codes[failure.codeName]);
  rule = merge(rule, rules.codes[failure.code]);
  for (const override of rules.overrides) {
    if (override.job !== undefined && override.job !== labels.job) continue;
    if (override.stage !== undefined && override.stage !== labels.stage) continue;
    if (override.code !== undefined && !codeMatches(override.code, failure)) continue;
    rule = merge(rule, override);
  }
  return rule;
}

function classify(failure: ClassifiedCode): RuleAction {
  if (failure.scope === Scope.device) return RuleAction.digest;
  if (failure.actionable) return failure.severity === Severity.info ? RuleAction.digest : RuleAction.alert;
  if (isTransient(failure)) return RuleAction.alert;
  return RuleAction.ignore;
}

// Retryable server-side trouble that nobody can fix right now: worth an alert only if it lasts.
// Failures the client absorbs by itself (actor "nobody", e.g. bulk limit) are not transient alerts.
function isTransient(failure: ClassifiedCode): boolean {
  return failure.retryable && !failure.actionable && failure.actor !== Actor.nobody;
}

function merge(rule: RuleSettings, patch: Partial<RuleSettings> | undefined): RuleSettings {
  if (!patch) return rule;
  return {
    action: patch.action ?? rule.action,
    persistFor: patch.persistFor ?? rule.persistFor,
    repeatInterval: patch.repeatInterval ?? rule.repeatInterval,
    resolveAfter: patch.resolveAfter ?? rule.resolveAfter,
    sendResolved: patch.sendResolved ?? rule.sendResolved,
  };
}
