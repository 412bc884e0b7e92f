// What became of the SCHEDULED_RUN_FAILED alert runFailures raised for a run that threw, in the
// runner's words: `npm start` promised "an alert (below)" even when none was sent.
import { DEFAULT_INHIBIT_SOURCES } from '../lib/alerts/defaultCodeRules';

/** The code runFailures alerts for a run that threw on every attempt. */
export const RUN_FAILED_CODE = 'SCHEDULED_RUN_FAILED';

const INHIBITORS = new Set<string>(DEFAULT_INHIBIT_SOURCES);

/**
 * The tail of the runner's "runFailures processed N record(s)" line: the alert is below when its
 * group's notification count grew during the drain; otherwise why not: an open condition that
 * inhibits it (a blocked API user: the admins are told about the cause, not the symptom, by
 * design, docs/alert-content.md), or an earlier notification of the same group (repeat interval,
 * a silence or an acknowledgement).
 *
 * @param input.sent whether the group's notifications grew during the drain
 * @param input.openCodes the code names of the stage's open alert groups after the drain
 * @example
 * describeRunFailedAlert({ sent: false, openCodes: ['USER_BLOCKED_STATE'] });
 * // ' -> no SCHEDULED_RUN_FAILED alert: the open USER_BLOCKED_STATE alert inhibits it (the cause is alerted, not the symptom)'
 */
export function describeRunFailedAlert(input: { sent: boolean; openCodes: readonly string[] }): string {
  if (input.sent) return ` -> a ${RUN_FAILED_CODE} alert to the admins (below)`;
  const inhibitor = input.openCodes.find((code) => INHIBITORS.has(code));
  if (inhibitor !== undefined) {
    return ` -> no ${RUN_FAILED_CODE} alert: the open ${inhibitor} alert inhibits it (the cause is alerted, not the symptom)`;
  }
  return ` -> no new ${RUN_FAILED_CODE} alert: its group was already notified (repeat interval), silenced or acknowledged (npx knox-guard-sentinel alerts list)`;
}
