import { describe, expect, it } from 'vitest';
import {
  HTTP_STATUSES,
  KNOX_CODES,
  SERVICE_CODES,
  TOKEN_SERVICE_CODES,
  transportError,
} from '../../../lib/errors';
import { whoMustAct } from '../../../lib/errors/renderRunbook';
import { SYNTHETIC_CODES } from '../../../lib/errors/serviceCodes';
import { contradictions } from '../../helpers/runbookContradictions';

const rows = [
  ...[...KNOX_CODES, ...TOKEN_SERVICE_CODES, ...HTTP_STATUSES, ...SERVICE_CODES, ...SYNTHETIC_CODES].map(
    (entry) => ({
      name: entry.codeName,
      who: whoMustAct(entry),
      retryable: entry.retryable,
      remediation: entry.remediation,
    }),
  ),
  ...(['timeout', 'transport'] as const).map((kind) => {
    const entry = transportError(kind, new Error(kind)).toJSON();
    return {
      name: entry.codeName,
      who: whoMustAct(entry),
      retryable: entry.retryable,
      remediation: entry.remediation,
    };
  }),
];

describe('the runbook does not contradict itself', () => {
  it.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    expect(contradictions(row)).toEqual([]);
  });

  it.each([
    // the instance: "no action needed" beside "open a Samsung ticket"
    [
      {
        name: 'X',
        who: 'Samsung support (no action needed)',
        remediation: 'Retried automatically; if it persists for an hour, open a Samsung Knox support ticket.',
        retryable: true,
      },
    ],
    [
      {
        name: 'X',
        who: 'nobody (handled automatically)',
        remediation: 'Retried with backoff; if it persists, lower the rate limit.',
        retryable: true,
      },
    ],
    [
      {
        name: 'X',
        who: 'developer',
        remediation: 'None: the licence is gone; remove it from the configuration.',
        retryable: false,
      },
    ],
    [{ name: 'X', who: 'developer', remediation: 'Retried automatically.', retryable: false }],
    [
      {
        name: 'X',
        who: 'billing',
        remediation: 'Reconcile the record; no retry will help.',
        retryable: true,
      },
    ],
  ])('finds the contradiction in %j', (row) => {
    expect(contradictions(row)).not.toEqual([]);
  });

  it('says when a non-actionable code needs its actor after all', () => {
    expect(
      whoMustAct({
        actor: 'Samsung support',
        actionable: false,
        retryable: true,
        remediation: 'Retried automatically; if it persists, open a ticket.',
      }),
    ).toBe('Samsung support, only if it persists (retried automatically)');
    expect(
      whoMustAct({
        actor: 'billing',
        actionable: false,
        retryable: false,
        remediation: 'Reconcile the record.',
      }),
    ).toBe('billing, as a follow-up (not urgent)');
    expect(whoMustAct({ actor: 'nobody', actionable: false, retryable: false, remediation: 'None.' })).toBe(
      'nobody (no action needed)',
    );
  });
});
