// The fault-injection suite (issue 13, "What must show when done"): real local servers with faults
// injected at the wire, counted by what the admins' inbox and Knox Guard's own ledger received.
// 1k and 20k devices run here; 100k with RELIABILITY_100K=1 (or `npm run reliability`).
import { describe, expect, it } from 'vitest';
import {
  crashAfterClaim,
  knoxDeviceScenario,
  markSentFailsAfterSns,
  type ScenarioResult,
  snsDownThenRecovers,
} from '../../helpers/faultScenarios';

function expectExactlyOnce(result: ScenarioResult): void {
  expect(result.faultsInjected).toBeGreaterThan(0);
  expect(result.alertsDelivered).toBe(result.alertsExpected);
  expect(result.alertsDuplicated).toBe(0);
  expect(result.devicesExecuted).toBe(result.devicesExpected);
  expect(result.devicesDuplicated).toBe(0);
}

describe('alerts under SNS and DynamoDB faults', () => {
  it.each([
    ['SNS down then recovering', snsDownThenRecovers],
    ['a crash after the alert claim', crashAfterClaim],
    ['the mark-sent write failing after SNS accepted', markSentFailsAfterSns],
  ])('%s: the alert arrives exactly once with the exact count', async (_name, scenario) => {
    const result = await scenario();
    expectExactlyOnce(result);
    expect(result.subjects).toEqual([
      '[KG prod] CRITICAL LICENSE_IS_LACK: tenant-wide, 31 devices - overdue-lock',
    ]);
  });
});

const sizes = process.env.RELIABILITY_100K === '1' ? [1_000, 20_000, 100_000] : [1_000, 20_000];

describe('device operations under Knox Guard 429 storms and outages', () => {
  let built = false;
  for (const devices of sizes) {
    for (const plan of ['storm', 'outage'] as const) {
      it(`${plan} at ${devices} devices: every device locked exactly once, no alert`, async () => {
        const result = await knoxDeviceScenario({ devices, plan, build: !built });
        built = true;
        expectExactlyOnce(result);
        expect(result.devicesExpected).toBe(devices);
        expect(result.subjects).toEqual([]);
      }, 240_000);
    }
  }

  it('Knox down until every attempt is used, then a DLQ redrive, at 20000 devices: one alert, every device locked once', async () => {
    const result = await knoxDeviceScenario({ devices: 20_000, plan: 'down-then-redrive', build: !built });
    built = true;
    expectExactlyOnce(result);
    // Two chunks of 10,000 each exhausted: the first alert is a lower bound while the other runs.
    expect(result.subjects).toEqual([
      '[KG local] CRITICAL KNOX_UNAVAILABLE: tenant-wide, 10,000+ devices - overdue-lock',
    ]);
  }, 240_000);
});
