// A serverless variable source (`${file(scripts/stage-config.cjs):<export>}`): serverless calls
// these functions while it resolves serverless.yml for a stage, with the stage's params already
// merged (params.default, params.<stage>, then `--param`). They hand everything to
// planJobSchedules in lib/config, so `serverless package` / `deploy` refuses placeholder values
// for a stage that runs its schedules, names the parameter to set, and keeps a job's schedule
// DISABLED until its parameters are set. CommonJS because serverless `require`s this file; tsx
// (a devDependency, as osls is) loads the TypeScript.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { require: requireTs } = require('tsx/cjs/api');

const ROOT = join(__dirname, '..');
// Parameters that reach people without going through jobs.yml.
const ALSO_CHECK = ['alertEmails', 'alertPhones'];

// serverless resolves each `${file(...)}` on its own and lists every failure: the first says what
// to set, the others point at it.
let reported = false;

async function plan({ resolveVariable }) {
  const { planJobSchedules, referencedJobParams } = requireTs('../lib/config/index.ts', __filename);
  const { parse } = require('yaml');
  const jobs = parse(readFileSync(join(ROOT, 'config', 'jobs.yml'), 'utf8'));
  const stage = await resolveVariable('sls:stage');
  const params = {};
  for (const name of ['schedulesState', ...ALSO_CHECK, ...referencedJobParams(jobs)]) {
    params[name] = await resolveVariable(`param:${name}`);
  }
  try {
    return planJobSchedules({ jobs, stage, params, alsoCheck: ALSO_CHECK });
  } catch (error) {
    // serverless prints `error.stack`; the message alone says what to set.
    error.stack = reported
      ? `${error.name}: the values listed above (stage ${stage})`
      : `${error.name}: ${error.message}`;
    reported = true;
    throw error;
  }
}

module.exports = {
  /** The `State` of each job's schedule, by job name: `scheduleStates.overdue-lock`. */
  scheduleStates: async (context) => (await plan(context)).states,
  /** `JOB_PARAMS` for the functions: every parameter jobs.yml references, as JSON. */
  jobParams: async (context) => JSON.stringify((await plan(context)).jobParams),
};
