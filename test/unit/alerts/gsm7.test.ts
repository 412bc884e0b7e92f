import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitGsm7, fitSmsParts, gsm7Length } from '../../../lib/alerts/gsm7';

describe('fitGsm7 cuts at a word boundary', () => {
  it.each([
    // the instance: "…Portal, t..." must not happen
    [
      'Unblock the API user in the Knox Admin Portal, then re-run the job.',
      50,
      'Unblock the API user in the Knox Admin Portal...',
    ],
    ['one two three', 10, 'one two...'],
    ['alpha, beta', 9, 'alpha...'],
    // a single word longer than the room is cut where it must be
    ['x'.repeat(40), 10, 'xxxxxxx...'],
  ])('fitGsm7(%j, %d) is %j', (text, max, expected) => {
    expect(fitGsm7(text, max)).toBe(expected);
  });

  it('never ends inside a word and always fits, for any words', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z]{1,12}$/), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 20, max: 160 }),
        (words, max) => {
          const text = words.join(' ');
          const cut = fitGsm7(text, max);
          expect(gsm7Length(cut)).toBeLessThanOrEqual(max);
          if (cut === text) return;
          const head = cut.slice(0, -3);
          expect(cut.endsWith('...')).toBe(true);
          // what is kept is whole words of the text, unless its first word alone is too long
          if (words[0] && words[0].length + 3 <= max) expect(`${text} `.startsWith(`${head} `)).toBe(true);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe('fitSmsParts keeps the action', () => {
  const head = 'KG prod CRITICAL: USER_BLOCKED_STATE, tenant-wide.';
  const action = 'Do: Unblock the API user in the Knox Admin Portal (Administrators), then re-run the job.';

  it('keeps every part when they fit', () => {
    expect(fitSmsParts('KG p X.', ['Job a.', 'Since 11-30 14:23 UTC.'], 'Do: y.')).toBe(
      'KG p X. Job a. Since 11-30 14:23 UTC. Do: y.',
    );
  });

  it('drops context from the end before shortening the action', () => {
    expect(fitSmsParts(head, ['Job a.', 'Since 11-30 14:23 UTC.'], 'Do: Unblock the API user.')).toBe(
      `${head} Job a. Since 11-30 14:23 UTC. Do: Unblock the API user.`,
    );
    // 'Since' goes first; the jobs stay while the whole action fits beside them
    const sms = fitSmsParts(head, ['Job approve-pending.', 'Since 11-30 14:23 UTC.'], action);
    expect(sms).toBe(`${head} Job approve-pending. ${action}`);
    // a longer head: the action keeps its leading clause rather than losing the jobs
    const longer = fitSmsParts(`${head} More.`, ['Job approve-pending.', 'Since 11-30 14:23 UTC.'], action);
    expect(longer).toBe(
      `${head} More. Job approve-pending. Do: Unblock the API user in the Knox Admin Portal (Administrators).`,
    );
    for (const text of [sms, longer]) expect(text.length).toBeLessThanOrEqual(160);
  });

  it('keeps the whole action without context rather than cutting it mid-word', () => {
    const sms = fitSmsParts(
      head,
      ['Jobs a-very-long-job-name-indeed, another-very-long-job-name-here.'],
      action,
    );
    expect(sms).toContain('Do: Unblock the API user in the Knox Admin Portal (Administrators)');
    expect(sms).not.toMatch(/\w\.\.\.$/);
  });
});
