import { describe, expect, it } from 'vitest';
import { renderAlert } from '../../../lib/alerts/renderAlert';
import { renderDigest } from '../../../lib/alerts/renderDigest';
import type { AlertFailureInfo } from '../../../lib/alerts/types';
import { knoxCode } from '../../../lib/errors';
import { locateRunReports } from '../../../lib/operations';
import { T0 } from '../../helpers/awsAlerts';

// The run id holds digits that masking would cut; the line must keep the link intact.
const RUN = { job: 'overdue-lock', runId: 'op-4f7c1d2e-1234-4567-8910-123456789012' };
const where = locateRunReports({ bucket: 'acme-reports', region: 'eu-central-1' })(RUN);

function info(name: 'LICENSE_IS_LACK'): AlertFailureInfo {
  const entry = knoxCode(name);
  return { ...entry, reason: 'No license left for 356938035643809' };
}

describe('the failed-device list line', () => {
  it('a firing alert names the location and the console link in the e-mail, not in the SMS', () => {
    const rendered = renderAlert({
      kind: 'firing',
      stage: 'prod',
      job: RUN.job,
      runId: RUN.runId,
      failure: info('LICENSE_IS_LACK'),
      devices: 23,
      since: T0,
      now: T0,
      samples: ['35*********3809'],
      report: { ...where, written: true },
    });
    expect(rendered.email).toContain(`Failed-device list (CSV): ${where.location} - ${where.consoleUrl}\n`);
    expect(where.consoleUrl).toContain(
      'prefix=reports%2Foverdue-lock%2Fop-4f7c1d2e-1234-4567-8910-123456789012%2F',
    );
    expect(rendered.sms).not.toContain('s3://');
    expect(rendered.sms).not.toContain('console.aws');
    // Nothing personal: the device id of the reason stays masked.
    expect(rendered.email).not.toContain('356938035643809');
  });

  it('says when this part of the list could not be written', () => {
    const { email } = renderAlert({
      kind: 'firing',
      stage: 'prod',
      job: RUN.job,
      failure: info('LICENSE_IS_LACK'),
      devices: 23,
      since: T0,
      now: T0,
      report: { ...where, written: false },
    });
    expect(email).toContain(
      'Failed-device list (CSV): could not be written for this part of the run (see RUN_REPORT_UNWRITABLE)',
    );
  });

  it('a resolved message and an alert without a list carry no line', () => {
    const base = {
      stage: 'prod',
      job: RUN.job,
      failure: info('LICENSE_IS_LACK'),
      devices: 1,
      since: T0,
      now: T0,
    };
    expect(renderAlert({ ...base, kind: 'resolved', report: where }).email).not.toContain(
      'Failed-device list',
    );
    expect(renderAlert({ ...base, kind: 'firing' }).email).not.toContain('Failed-device list');
  });

  it('the digest names the location and link in the e-mail only', () => {
    const entry = knoxCode('DEVICE_NOT_FOUND');
    const digest = renderDigest({
      stage: 'prod',
      job: RUN.job,
      runId: RUN.runId,
      since: T0,
      now: T0,
      entries: [{ ...entry, count: 23, samples: ['35*********3809'] }],
      report: where,
    });
    expect(digest.email).toContain(`Failed-device list (CSV): ${where.location} - ${where.consoleUrl}\n`);
    expect(digest.sms).not.toContain('s3://');
  });
});
