import { describe, expect, it } from 'vitest';
import { fitGsm7, gsm7Length, toGsm7 } from '../../../lib/alerts/gsm7';
import { renderAlert } from '../../../lib/alerts/renderAlert';
import { renderDigest } from '../../../lib/alerts/renderDigest';
import type { AlertFailureInfo } from '../../../lib/alerts/types';
import { KNOX_CODES, SERVICE_CODES, TOKEN_SERVICE_CODES } from '../../../lib/errors';
import { HOUR, T0 } from '../../helpers/awsAlerts';

const IMEI = '356938035643809';
const PHONE = '+491511234567';
const EMAIL = 'jane.doe@example.com';
const LONG_JOB = `überfällige-Sperre-Ratenzahlung-Großkunden-🚀-${'x'.repeat(200)}`;

function infoOf(entry: (typeof KNOX_CODES)[number]): AlertFailureInfo {
  return {
    code: entry.code,
    codeName: entry.codeName,
    httpStatus: entry.httpStatus,
    reason: `Device ${IMEI} failed; contact ${PHONE} or ${EMAIL} – “status” ✅ 日本`,
    description: entry.description,
    category: entry.category,
    severity: entry.severity,
    remediation: entry.remediation,
    actor: entry.actor,
  };
}

const variants = [
  { kind: 'firing', job: 'overdue-lock', devices: 4812 },
  { kind: 'reminder', job: LONG_JOB, devices: 9_876_543_210 },
  { kind: 'resolved', job: `${LONG_JOB}\nsecond line ${IMEI}`, devices: 1 },
  { kind: 'firing', job: 'approve-pending', devices: 1, jobs: ['approve-pending', 'overdue-lock', LONG_JOB] },
  { kind: 'update', job: 'overdue-lock', devices: 4806, previousDevices: 997, atLeast: false },
  { kind: 'resolved', job: 'overdue-lock', devices: 1, jobs: ['api-request', 'overdue-lock'] },
] as const;

const ALL_CODES = [...KNOX_CODES, ...SERVICE_CODES, ...TOKEN_SERVICE_CODES];

/**
 * The SMS keeps its action: after `Do: ` comes the whole remediation, its leading clauses (cut
 * after a `,` or `;`, ending in `.`), or, only when even the first clause does not fit, its head
 * cut at a word boundary and ending in `...` (never inside a word).
 */
function expectActionKept(sms: string, remediation: string) {
  const at = sms.indexOf('Do: ');
  expect(at).toBeGreaterThan(0);
  const action = sms.slice(at + 4);
  const remedy = toGsm7(remediation);
  if (action === remedy) return;
  if (action.endsWith('...')) {
    const head = action.slice(0, -3);
    expect(remedy.startsWith(head)).toBe(true);
    expect(remedy.charAt(head.length)).toMatch(/[\s,;:(-]/);
    return;
  }
  const clause = action.slice(0, -1);
  expect(action.endsWith('.')).toBe(true);
  expect(remedy.startsWith(clause)).toBe(true);
  expect(remedy.charAt(clause.length)).toMatch(/[,;]/);
}

describe.each(ALL_CODES.map((entry) => [entry.codeName, entry] as const))(
  'renderAlert for %s',
  (_name, entry) => {
    it.each(variants)(
      '$kind variant with job of $job.length characters (jobs: $jobs) stays within the limits',
      (variant) => {
        // Prepare
        const input = {
          ...variant,
          stage: 'prod-eu-🇪🇺',
          failure: infoOf(entry),
          runId: `run-${IMEI}`,
          since: T0,
          lastSeenAt: T0 + HOUR,
          now: T0 + 2 * HOUR,
          samples: ['35*********3809'],
          repeatInterval: 4 * HOUR,
        };

        // Act
        const { subject, email, sms } = renderAlert(input);

        // Assess
        expect(subject.length).toBeLessThan(100);
        expect(subject).not.toMatch(/[\r\n]/);
        expect(subject).toMatch(/^[\x20-\x7e]+$/);
        expect(subject).toContain(entry.codeName);
        expect(gsm7Length(sms)).toBeDefined();
        expect(gsm7Length(sms)).toBeLessThanOrEqual(160);
        expect(sms).toContain(entry.codeName);
        for (const text of [subject, email, sms]) {
          expect(text).not.toContain(IMEI);
          expect(text).not.toContain(PHONE);
          expect(text).not.toContain(EMAIL);
        }
        // Named once; a status only when there was an HTTP answer (never "(HTTP 0)").
        expect(email).toContain(
          entry.code === entry.codeName
            ? `Code: ${entry.codeName}\n`
            : `Knox code: ${entry.code} ${entry.codeName} (HTTP ${entry.httpStatus})`,
        );
        expect(email).not.toContain('(HTTP 0)');
        expect(email).not.toContain(`${entry.codeName} ${entry.codeName}`);
        expect(email).not.toMatch(/between (\S+ \S+ UTC) and \1/);
        // Tenant-wide: the word, the jobs, never "1 device".
        if ('jobs' in variant) {
          expect(subject).toContain('tenant-wide');
          expect(sms).toContain('tenant-wide');
          expect(email).toContain(
            'api-request, overdue-lock'.includes(variant.jobs[0]) ? variant.jobs[0] : 'approve-pending',
          );
          for (const text of [subject, email, sms]) expect(text).not.toMatch(/\b1 device\b/);
        }
        if (variant.kind === 'resolved') expect(sms.endsWith('No action needed.')).toBe(true);
        else expectActionKept(sms, entry.remediation);
        expect(email).toContain('35*********3809');
        expect(email).toContain('+49********67');
        expect(email).toContain('Knox Guard console: https://');
        if (variant.kind !== 'resolved') expect(email).toContain(entry.remediation);
      },
    );
  },
);

describe('renderAlert examples', () => {
  const failure = infoOf(
    KNOX_CODES.find((entry) => entry.codeName === 'LICENSE_IS_LACK') as (typeof KNOX_CODES)[number],
  );

  it('renders the firing subject and counts', () => {
    const { subject, email } = renderAlert({
      kind: 'firing',
      stage: 'prod',
      job: 'overdue-lock',
      failure,
      devices: 4812,
      since: T0,
      now: T0,
    });
    expect(subject).toBe('[KG prod] CRITICAL LICENSE_IS_LACK: 4,812 devices - overdue-lock');
    expect(email).toContain('Devices affected: 4,812 devices');
    expect(email).toContain('Failing since: 2026-11-25 08:00 UTC');
  });

  it('compacts huge counts in the subject', () => {
    const { subject } = renderAlert({
      kind: 'firing',
      stage: 'prod',
      job: 'j',
      failure,
      devices: 12_345_678,
      since: T0,
      now: T0,
    });
    expect(subject).toContain('12.3M devices');
  });
});

describe('GSM-7', () => {
  it.each([
    ['plain ASCII', 'Licences ran out', 16],
    ['extension characters count two', '€[]{}', 10],
    ['GSM accents are one', 'Müller café', 11],
  ])('%s', (_name, text, septets) => {
    expect(gsm7Length(text)).toBe(septets);
  });

  it('replaces what GSM-7 lacks instead of switching to UCS-2', () => {
    expect(toGsm7('Licences – “prod” ✅ Kraków')).toBe('Licences - "prod" ? Krakow');
    expect(gsm7Length('✅')).toBeUndefined();
  });

  it('cuts to one segment, counting extension characters twice', () => {
    const cut = fitGsm7('€'.repeat(100));
    expect(gsm7Length(cut)).toBeLessThanOrEqual(160);
    expect(cut.endsWith('...')).toBe(true);
  });
});

describe('renderDigest', () => {
  it('summarises per-device codes with counts and masked samples', () => {
    const { subject, email, sms } = renderDigest({
      stage: 'prod',
      job: LONG_JOB,
      runId: 'run-7',
      since: T0,
      now: T0 + HOUR,
      entries: [
        {
          code: '4000310',
          codeName: 'DEVICE_STATE_INVALID',
          count: 5,
          description: 'd',
          remediation: 'r',
          samples: [],
        },
        {
          code: '4040300',
          codeName: 'DEVICE_NOT_FOUND',
          count: 1_234_567,
          description: 'd',
          remediation: 'r',
          samples: ['35*********3809'],
        },
      ],
    });
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^\[KG prod\] Digest: 1\.2M devices failed \(2 codes\) - /);
    expect(email.indexOf('DEVICE_NOT_FOUND')).toBeLessThan(email.indexOf('DEVICE_STATE_INVALID'));
    expect(gsm7Length(sms)).toBeLessThanOrEqual(160);
  });
});

describe('tenant-wide and final-count wording', () => {
  const failure = infoOf(
    KNOX_CODES.find((entry) => entry.codeName === 'USER_BLOCKED_STATE') as (typeof KNOX_CODES)[number],
  );

  it('says tenant-wide and names the jobs instead of "1 device"', () => {
    const { subject, email, sms } = renderAlert({
      kind: 'firing',
      stage: 'local',
      job: 'approve-pending',
      jobs: ['approve-pending'],
      failure,
      devices: 1,
      since: T0,
      lastSeenAt: T0,
      now: T0,
    });
    expect(subject).toBe('[KG local] CRITICAL USER_BLOCKED_STATE: tenant-wide - approve-pending');
    expect(email).toContain('Scope: tenant-wide');
    expect(email).toContain('Jobs that saw it: approve-pending');
    expect(email).not.toContain('Devices affected');
    expect(email).toContain('Failing since: 2026-11-25 08:00 UTC\n');
    expect(sms).toBe(
      'KG local CRITICAL: USER_BLOCKED_STATE, tenant-wide. Job approve-pending. Do: Unblock the API user in the Knox Admin Portal (Administrators).',
    );
  });

  it('a per-job condition (scope job) names the job and its run, never "tenant-wide" or a device count', () => {
    const entry = SERVICE_CODES.find((code) => code.codeName === 'SCHEDULED_RUN_FAILED');
    const runFailed: AlertFailureInfo = {
      ...infoOf(entry as (typeof KNOX_CODES)[number]),
      reason: 'scheduled run approve-pending failed for good after 3 attempt(s) (RetriesExhausted)',
      scope: 'job',
    };
    const input = {
      stage: 'prod',
      job: 'approve-pending',
      failure: runFailed,
      devices: 1,
      runId: 'approve-pending@2026-11-25T08:00:00Z',
      since: T0,
      lastSeenAt: T0,
      now: T0,
    };
    const firing = renderAlert({ ...input, kind: 'firing' });
    expect(firing.subject).toBe('[KG prod] CRITICAL SCHEDULED_RUN_FAILED - approve-pending');
    expect(firing.email).toContain(
      'Knox Guard alert: SCHEDULED_RUN_FAILED (critical) in prod / approve-pending',
    );
    expect(firing.email).toContain('Latest run: approve-pending@2026-11-25T08:00:00Z');
    expect(firing.email).not.toContain('Devices affected');
    expect(firing.email).not.toContain('tenant-wide');
    expect(firing.sms).toMatch(/^KG prod CRITICAL: SCHEDULED_RUN_FAILED\. Job approve-pending\. /);
    const resolved = renderAlert({ ...input, kind: 'resolved', now: T0 + HOUR });
    expect(resolved.subject).toBe('[KG prod] RESOLVED SCHEDULED_RUN_FAILED: cleared - approve-pending');
    expect(resolved.email).toContain('The condition cleared: job approve-pending runs again');
    expect(resolved.email).not.toContain('devices of job');
  });

  it('names several jobs as whole names, then +N when they do not fit', () => {
    const jobs = ['approve-pending', 'overdue-lock', 'payment-reminder', 'api-request'];
    const { subject, sms } = renderAlert({
      kind: 'reminder',
      stage: 'prod',
      job: 'overdue-lock',
      jobs,
      failure,
      devices: 40,
      since: T0,
      now: T0 + HOUR,
    });
    expect(subject).toBe(
      '[KG prod] STILL FAILING USER_BLOCKED_STATE: tenant-wide, 40 devices - approve-pending +3',
    );
    expect(sms).toContain('Jobs approve-pending +3.');
  });

  it('an update carries the final count and what the first alert said', () => {
    const { subject, email, sms } = renderAlert({
      kind: 'update',
      stage: 'prod',
      job: 'overdue-lock',
      failure: { ...failure, codeName: 'LICENSE_IS_LACK', remediation: 'Add licences.' },
      devices: 4806,
      previousDevices: 997,
      runId: 'overdue-lock@2026-11-25T07:00:00Z',
      since: T0,
      now: T0 + HOUR,
    });
    expect(subject).toBe('[KG prod] FINAL COUNT LICENSE_IS_LACK: 4,806 devices - overdue-lock');
    expect(email).toContain(
      'Devices affected: 4,806 devices in run overdue-lock@2026-11-25T07:00:00Z, which has finished (the final count; the first alert said 997+ so far)',
    );
    expect(sms).toContain('LICENSE_IS_LACK, 4,806 devices (final, was 997+).');
  });

  // Break-it pass, 2026-12-01: a one-chunk fanned-out run said "the final count follows when the
  // run ends", and none followed: an update goes out only when the count changed (prepareUpdates).
  it('a firing sent while the run is in progress promises an update only if the count grows', () => {
    const { subject, email } = renderAlert({
      kind: 'firing',
      stage: 'local',
      job: 'overdue-lock',
      failure: { ...failure, codeName: 'LICENSE_IS_LACK', remediation: 'Add licences.' },
      devices: 2,
      atLeast: true,
      runId: 'overdue-lock@2026-12-01T03:08:20Z',
      since: T0,
      now: T0,
    });
    expect(subject).toContain('2+ devices');
    expect(email).toContain(
      'Devices affected: 2+ devices so far in run overdue-lock@2026-12-01T03:08:20Z, which was still running (a final-count update follows only if the count grows)',
    );
    expect(email).not.toContain('the final count follows when the run ends');
  });
});
