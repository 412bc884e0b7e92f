/**
 * Contradictory pairs within one runbook row ("Who must act" beside "What to do", the retryable
 * flag beside the remediation). Shared by the catalog unit test and the e2e check of the generated
 * docs/error-codes.md, so both apply the same rules.
 */
export interface RunbookRow {
  readonly name: string;
  readonly who: string;
  readonly retryable?: boolean | undefined;
  readonly remediation: string;
}

// Imperative verbs that ask a person to act; found at the start of a clause of the remediation.
const ACTION =
  /(?:^|[.;:,]\s+|\bthen\s+|\bor\s+)(open|contact|check|fix|add|remove|lower|raise|reconcile|unblock|issue|use|move|compare|find|redrive|ask|re-run|run|reduce|extend|renew|create|correct|delete|restore|upload|approve|grant|register|send|wait)\b/i;

/** Each contradiction found in a row, as a sentence; empty when the row is consistent. */
export function contradictions(row: RunbookRow): string[] {
  const out: string[] = [];
  const asksAction = ACTION.test(row.remediation);
  if (/no action needed/i.test(row.who) && asksAction)
    out.push(`${row.name}: "no action needed" beside an action ("${row.remediation}")`);
  if (/^None\b/.test(row.remediation) && asksAction)
    out.push(`${row.name}: "None" followed by an action ("${row.remediation}")`);
  if (/^nobody\b/i.test(row.who) && asksAction)
    out.push(`${row.name}: nobody must act, yet the remediation asks for an action`);
  if (row.retryable === false && /\bretried (automatically|with backoff)\b/i.test(row.remediation))
    out.push(`${row.name}: not retryable, yet "retried automatically"`);
  if (row.retryable === true && /\bno retry will help\b|\bnot retried\b/i.test(row.remediation))
    out.push(`${row.name}: retryable, yet "no retry will help"`);
  return out;
}
