// A serverless variable source (`${file(scripts/stage-config.cjs):<export>}`): serverless calls
// these functions while it resolves serverless.yml for a stage, with the stage's params already
// merged (params.default, params.<stage>, then `--param`). They hand everything to
// planJobSchedules in lib/config, so `serverless package` / `deploy` refuses placeholder values
// for a stage that runs its schedules, names the parameter to set, keeps a job's schedule
// DISABLED until its parameters are set, refuses any param AWS would refuse at deploy
// (checkStageParams: schedule expressions, time zone, numbers, alert subscribers), refuses a device job with no alert subscriber (a warning
// when no device job runs), and names a `${param:x}` of config/jobs.yml that no params define. CommonJS because serverless `require`s this file; tsx
// (a devDependency, as osls is) loads the TypeScript.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { require: requireTs } = require('tsx/cjs/api');

const ROOT = join(__dirname, '..');
// The params that subscribe admins to alerts (infra/alerts.yml).
const ALERT_PARAMS = ['alertEmails', 'alertPhones'];

// serverless resolves each `${file(...)}` on its own and lists every failure: the first says what
// to set, the others point at it. Warnings are printed once per CLI run for the same reason.
let reported = false;
let warned = false;

// serverless's error for a param no `params` section defines: "Value not found at "param" source",
// without the name.
const NOT_FOUND = 'MISSING_VARIABLE_RESULT';

async function plan({ resolveVariable }) {
  const {
    checkedStageParams,
    OPERATION_REQUIRES,
    UndefinedParamError,
    parseJobsYaml,
    planJobSchedules,
    referencedJobParams,
  } = requireTs('../lib/config/index.ts', __filename);
  const stage = await resolveVariable('sls:stage');
  const params = {};
  const required = Object.values(OPERATION_REQUIRES).map((requirement) => requirement.param);
  // Errors other than these (serverless's "not resolvable yet" in its first pass) propagate as they are.
  for (const name of new Set(['schedulesState', ...ALERT_PARAMS, ...required])) {
    params[name] = await resolveVariable(`param:${name}`);
  }
  // Every param that reaches the template or an environment, checked against what AWS accepts
  // (checkStageParams); one a stage does not define at all is left to serverless.
  for (const name of checkedStageParams()) {
    if (name in params) continue;
    try {
      params[name] = await resolveVariable(`param:${name}`);
    } catch (cause) {
      if (cause?.code !== NOT_FOUND) throw cause;
    }
  }
  try {
    // A YAML error is a JobsConfigError naming file and line (a duplicate job name), not a YAMLParseError.
    const jobs = parseJobsYaml(readFileSync(join(ROOT, 'config', 'jobs.yml'), 'utf8'));
    for (const name of referencedJobParams(jobs)) {
      try {
        params[name] = await resolveVariable(`param:${name}`);
      } catch (cause) {
        if (cause?.code !== NOT_FOUND) throw cause;
        throw new UndefinedParamError([name], `params.default or params.${stage}`, { cause });
      }
    }
    const result = planJobSchedules({ jobs, stage, params, alertParams: ALERT_PARAMS });
    if (!warned) for (const warning of result.warnings) process.stderr.write(`Warning: ${warning}\n`);
    warned = true;
    return result;
  } catch (error) {
    if (error?.code !== undefined) throw error; // serverless's own, e.g. a first-pass dependency
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
  /**
   * The stage's params as checked (checkStageParams), by name: `stageParams.smsIncludeReminders`.
   * The stack parameters' booleans come out as "true"/"false", whether serverless.yml quotes them or not.
   */
  stageParams: async (context) => (await plan(context)).stageParams,
};
