// Runs the fault-injection scenarios (test/helpers/faultScenarios.ts, the same code the tests in
// test/integration/faults assert on) at 1k, 20k and 100k devices and writes their figures into
// docs/fault-injection.md between the reliability-table markers. `npm run reliability`.
import { readFile, writeFile } from 'node:fs/promises';
import {
  crashAfterClaim,
  knoxDeviceScenario,
  markSentFailsAfterSns,
  type ScenarioResult,
  snsDownThenRecovers,
} from '../test/helpers/faultScenarios';
import { parseScriptArgs } from './parseScriptArgs';

const DOC = new URL('../docs/fault-injection.md', import.meta.url);
const BEGIN = '<!-- reliability-table:begin -->';
const END = '<!-- reliability-table:end -->';

parseScriptArgs({}, 'usage: npm run reliability');
const results: ScenarioResult[] = [];
for (const scenario of [snsDownThenRecovers, crashAfterClaim, markSentFailsAfterSns])
  results.push(await scenario());
let build = true;
for (const devices of [1_000, 20_000, 100_000]) {
  for (const plan of ['storm', 'outage', 'down-then-redrive'] as const) {
    results.push(await knoxDeviceScenario({ devices, plan, build }));
    build = false;
    console.log(JSON.stringify(results.at(-1)));
  }
}
const n = (value: number) => value.toLocaleString('en-US');
const rows = results.map((r) => {
  const lost = r.alertsExpected - r.alertsDelivered + (r.devicesExpected - r.devicesExecuted);
  return `| ${r.scenario} | ${n(r.faultsInjected)} | ${r.alertsExpected} | ${r.alertsDelivered} | ${r.alertsDuplicated} | ${n(r.devicesExpected)} | ${n(r.devicesExecuted)} | ${n(r.devicesDuplicated)} | ${n(lost)} | ${r.subjects.join('; ') || '-'} |`;
});
const table = [
  '| Scenario | Faults injected | Alerts expected | delivered | duplicated | Device operations expected | executed | duplicated | Lost | Alert subjects |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ...rows,
].join('\n');
const doc = await readFile(DOC, 'utf8');
const start = doc.indexOf(BEGIN);
const end = doc.indexOf(END);
if (start < 0 || end < start) throw new Error(`docs/fault-injection.md lacks the ${BEGIN} / ${END} markers`);
await writeFile(DOC, `${doc.slice(0, start + BEGIN.length)}\n${table}\n${doc.slice(end)}`);
console.log(table);
