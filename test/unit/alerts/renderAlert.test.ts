import { describe, expect, it } from 'vitest';
import {
  type AlertFailureInfo,
  fitGsm7,
  gsm7Length,
  renderAlert,
  renderDigest,
  toGsm7,
} from '../../../lib/alerts';
import { KNOX_CODES } from '../../../lib/errors';
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
] as const;

describe.each(KNOX_CODES.map((entry) => [entry.codeName, entry] as const))(
  'renderAlert for %s',
  (_name, entry) => {
    it.each(variants)(
      '$kind variant with job of $job.length characters stays within the limits',
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
        expect(email).toContain(`Knox code: ${entry.code} ${entry.codeName} (HTTP ${entry.httpStatus})`);
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
