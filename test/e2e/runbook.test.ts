// The runbook as admins read it: the committed, generated docs/error-codes.md (the drift test
// keeps it equal to the catalog). Every table row is scanned for contradictory pairs, and the
// transport errors and the DLQ redrive procedure are covered.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { contradictions, type RunbookRow } from '../helpers/runbookContradictions';

const RUNBOOK = new URL('../../docs/error-codes.md', import.meta.url);

/** The rows of every table with a "Who must act" and a "What to do" column. */
function rowsOf(markdown: string): RunbookRow[] {
  const rows: RunbookRow[] = [];
  let header: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      header = undefined;
      continue;
    }
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim());
    if (!header) {
      header = cells;
      continue;
    }
    if (cells.every((cell) => /^-+$/.test(cell))) continue;
    const who = header.indexOf('Who must act');
    const what = header.indexOf('What to do');
    const retry = header.indexOf('Retryable');
    if (who < 0 || what < 0) continue;
    rows.push({
      name: `${cells[0]} ${cells[1]}`,
      who: cells[who] ?? '',
      remediation: cells[what] ?? '',
      retryable: retry < 0 ? undefined : cells[retry] === 'yes',
    });
  }
  return rows;
}

describe('docs/error-codes.md', () => {
  it('has no row whose "Who must act" and "What to do" contradict each other', async () => {
    const rows = rowsOf(await readFile(RUNBOOK, 'utf8'));
    expect(rows.length).toBeGreaterThan(50);
    expect(rows.flatMap(contradictions)).toEqual([]);
  });

  it('covers 502, 503, 504, timeouts and broken connections', async () => {
    const text = await readFile(RUNBOOK, 'utf8');
    for (const code of [
      '`BAD_GATEWAY` (HTTP 502)',
      '`SERVICE_UNAVAILABLE` (HTTP 503)',
      '`GATEWAY_TIMEOUT` (HTTP 504)',
      '`TIMEOUT`',
      '`TRANSPORT_ERROR`',
    ]) {
      expect(text).toContain(`| ${code}`);
    }
  });

  it('gives the redrive procedure per DLQ and links the operator guide', async () => {
    const text = await readFile(RUNBOOK, 'utf8');
    expect(text).toContain('## Dead-letter queues: redrive');
    for (const queue of [
      'operations-dlq',
      'schedules-dlq',
      'scheduled-run-failures-dlq',
      'alert-delivery-dlq',
    ]) {
      expect(text).toContain(`-${queue}\``);
    }
    expect(text).toContain('aws sqs start-message-move-task');
    const guide = await readFile(new URL('../../docs/operator-guide.md', import.meta.url), 'utf8');
    expect(text).toContain('(operator-guide.md#redriving-dead-letters)');
    expect(guide).toContain('## Redriving dead letters');
  });
});
