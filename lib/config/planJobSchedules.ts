import { type CheckedStageParams, checkStageParams } from './checkStageParams';
import { ConfigError } from './errors';
import { findPlaceholder } from './findPlaceholder';
import { isUnsetParam, type JobParams, type JobParamValue, referencedJobParams } from './jobParams';
import { JobOperation, resolveJobsConfig } from './jobsConfig';
import { StageParamError } from './StageParamError';

export { StageParamError };

/** An EventBridge Scheduler schedule's `State`. */
export const ScheduleState = { enabled: 'ENABLED', disabled: 'DISABLED' } as const;
export type ScheduleState = (typeof ScheduleState)[keyof typeof ScheduleState];

// The fields of a job that reach a device's screen (and the people who read it).
const DEVICE_FACING_FIELDS = ['message', 'contact.tel', 'contact.email'] as const;

/**
 * Stage params an operation needs, with the value, before its schedule may run. licence-health
 * calls the licence paths, which no public source confirms (docs/knox-api-contract.md): with
 * `knoxUnverifiedLicenceApi` anything but "true" it only reports itself unavailable, so an
 * enabled schedule would run hourly and do nothing.
 */
export const OPERATION_REQUIRES: Readonly<
  Partial<Record<string, { readonly param: string; readonly value: string; readonly why: string }>>
> = {
  'licence-health': {
    param: 'knoxUnverifiedLicenceApi',
    value: 'true',
    why: 'the licence paths are unverified; check them with npm run knox:check first',
  },
};

export interface JobSchedulePlanInput {
  /** config/jobs.yml as plain data. */
  readonly jobs: unknown;
  readonly stage: string;
  /**
   * The stage's resolved serverless.yml params (`params.default`, `params.<stage>`, `--param`):
   * `schedulesState` and every parameter jobs.yml references; more are ignored.
   */
  readonly params: JobParams;
  /**
   * The params that subscribe admins to alerts (`alertEmails`, `alertPhones`), comma-separated
   * lists: checked for placeholders like the jobs' values, and when a job acting on devices runs,
   * at least one of them must be set (a `StageParamError` otherwise; a warning when no device job
   * runs). Left out, neither check is made.
   */
  readonly alertParams?: readonly string[];
}

export interface JobSchedulePlan {
  /** `schedulesState` of the stage: whether any schedule may run at all. */
  readonly schedulesEnabled: boolean;
  /** Job name -> the `State` its schedule gets. */
  readonly states: Readonly<Record<string, ScheduleState>>;
  /** Job name -> why its schedule is disabled (absent when enabled). */
  readonly disabledBecause: Readonly<Record<string, string>>;
  /** Every parameter jobs.yml references, as the functions get them in `JOB_PARAMS` (unset: ""). */
  readonly jobParams: Readonly<Record<string, JobParamValue>>;
  /** What the stage deploys that the operator should know, but that harms no device (no alert subscriber). */
  readonly warnings: readonly string[];
  /**
   * The stage's params as checked by `checkStageParams` (what AWS accepts for each), with the
   * stack parameters' booleans as "true"/"false": what infra/*.yml reads through
   * scripts/stage-config.cjs where a YAML boolean must not reach the template.
   */
  readonly stageParams: CheckedStageParams;
}

/** A stage that runs its schedules holds example or placeholder values; `issues` names each one. */
export class PlaceholderValueError extends ConfigError {
  readonly stage: string;
  readonly issues: readonly string[];
  constructor(stage: string, issues: readonly string[], options?: { cause?: unknown }) {
    super(
      [
        `Stage ${stage} runs its schedules (schedulesState: ENABLED), so these values would reach real devices and people, but they are examples or placeholders:`,
        ...issues.map((issue) => `  - ${issue}`),
        `Set each param in serverless.yml (params.${stage}.<name>) or with --param="<name>=<value>" (docs/operator-guide.md, "Before the first deploy: job values"); config/jobs.yml paths are edited in that file. To deploy without running any schedule, pass --param="schedulesState=DISABLED".`,
      ].join('\n'),
      options,
    );
    this.name = 'PlaceholderValueError';
    this.stage = stage;
    this.issues = issues;
  }
}

/**
 * Decides, for one stage, which scheduled jobs may run and refuses sample values before they
 * reach a device. A job's schedule is `ENABLED` only when the stage's `schedulesState` is
 * `ENABLED` and the job, resolved with the stage's params, is enabled: a device job that
 * references an unset parameter (`overdueLockMessage`, `lockContactTel`, ...) stays `DISABLED`
 * whatever `schedulesState` says, `approve-pending` runs only with `approvePendingEnabled:
 * true`, and an operation listed in {@link OPERATION_REQUIRES} (licence-health) only with its
 * param (`knoxUnverifiedLicenceApi: "true"`). When `schedulesState` is `ENABLED`, every message
 * and contact of every job, and each entry of the `alertParams`, must pass
 * {@link findPlaceholder}; otherwise a `PlaceholderValueError` names each parameter (or
 * config/jobs.yml path) to set. Stages whose schedules are off keep working with the samples.
 *
 * Throws a `StageParamError` for a `schedulesState` other than exactly `ENABLED` or `DISABLED`
 * (EventBridge Scheduler's `State` values), for any param AWS would refuse at deploy
 * (`checkStageParams`: schedule expressions, time zone, redrive and lifecycle numbers, alert
 * subscribers, ...), and when a job acting on devices would run while every
 * `alertParams` param is empty (its failures would reach nobody); with no device job running, that
 * is a warning in `warnings` instead. Throws a `JobsConfigError` for a jobs file that does not
 * validate.
 *
 * Used by serverless.yml through scripts/stage-config.cjs (schedule states, `JOB_PARAMS`) and by
 * scripts/build.ts (every stage, with serverless.yml's own params).
 *
 * @example
 * const plan = planJobSchedules({ jobs, stage: 'prod', params: { schedulesState: 'ENABLED', overdueLockMessage: '' } });
 * plan.states['overdue-lock'];          // 'DISABLED'
 * plan.disabledBecause['overdue-lock']; // 'param overdueLockMessage is not set'
 * plan.states['licence-health'];        // 'DISABLED' (knoxUnverifiedLicenceApi is not "true")
 */
export function planJobSchedules(input: JobSchedulePlanInput): JobSchedulePlan {
  const schedulesState = input.params.schedulesState;
  if (schedulesState !== ScheduleState.enabled && schedulesState !== ScheduleState.disabled) {
    throw new StageParamError(
      input.stage,
      ['schedulesState'],
      `param schedulesState is ${JSON.stringify(schedulesState ?? null)}; it must be exactly ENABLED or DISABLED (upper case, EventBridge Scheduler's State values). Set it with --param="schedulesState=ENABLED" or in serverless.yml (params.${input.stage}.schedulesState).`,
    );
  }
  const schedulesEnabled = schedulesState === ScheduleState.enabled;
  const config = resolveJobsConfig(input.jobs, input.stage, input.params);

  const states: Record<string, ScheduleState> = {};
  const disabledBecause: Record<string, string> = {};
  const issues: string[] = [];
  for (const [name, job] of config.jobs) {
    const unset = job.unsetParams ?? [];
    const requires = OPERATION_REQUIRES[job.operation];
    const why = !schedulesEnabled
      ? 'schedulesState is DISABLED'
      : unset.length > 0
        ? `param ${unset.join(', ')} ${unset.length === 1 ? 'is' : 'are'} not set`
        : !job.enabled
          ? 'the job is disabled (enabled: false)'
          : requires && String(input.params[requires.param] ?? '') !== requires.value
            ? `param ${requires.param} is not "${requires.value}" (${requires.why})`
            : undefined;
    states[name] = why === undefined ? ScheduleState.enabled : ScheduleState.disabled;
    if (why !== undefined) disabledBecause[name] = why;
    if (!schedulesEnabled) continue;
    for (const field of DEVICE_FACING_FIELDS) {
      const value =
        field === 'message' ? job.message : job.contact?.[field === 'contact.tel' ? 'tel' : 'email'];
      const reason = value === undefined ? undefined : findPlaceholder(value);
      if (reason === undefined) continue;
      const from = job.paramFields?.[field];
      issues.push(
        from && from.length > 0
          ? `param ${from.join(', ')} (jobs.${name}.${field}) ${reason}`
          : `config/jobs.yml jobs.${name}.${field} ${reason}`,
      );
    }
  }
  const alertParams = input.alertParams ?? [];
  if (schedulesEnabled) {
    for (const param of alertParams) {
      const value = input.params[param];
      if (isUnsetParam(value)) continue;
      for (const entry of String(value).split(',')) {
        const reason = findPlaceholder(entry);
        if (reason !== undefined) issues.push(`param ${param} ${reason}`);
      }
    }
  }
  if (issues.length > 0) throw new PlaceholderValueError(input.stage, [...new Set(issues)]);
  // After the placeholders: a sample number is better named as one than as a malformed number.
  const stageParams = checkStageParams(input.stage, input.params);

  const warnings: string[] = [];
  const subscribed = alertParams.some((param) => !isUnsetParam(input.params[param]));
  if (schedulesEnabled && alertParams.length > 0 && !subscribed) {
    const deviceJobs = [...config.jobs.values()]
      .filter(
        (job) => job.operation !== JobOperation.licenceHealth && states[job.name] === ScheduleState.enabled,
      )
      .map((job) => job.name);
    const names = alertParams.join(' and ');
    if (deviceJobs.length > 0) {
      throw new StageParamError(
        input.stage,
        alertParams,
        `${deviceJobs.join(', ')} would run on real devices, but no one would get its alerts: ${names} ${alertParams.length === 1 ? 'is' : 'are'} empty. Set at least one, e.g. --param="${alertParams[0]}=<address>" or params.${input.stage}.${alertParams[0]} in serverless.yml (docs/operator-guide.md, "Subscribing admins"), or pass --param="schedulesState=DISABLED".`,
      );
    }
    warnings.push(
      `no alert subscriber: ${names} ${alertParams.length === 1 ? 'is' : 'are'} empty, so the alarms and alerts of stage ${input.stage} reach no one. No job acts on devices yet; once one would, packaging refuses the stage until ${alertParams.join(' or ')} is set.`,
    );
  }

  const jobParams: Record<string, JobParamValue> = {};
  for (const name of referencedJobParams(input.jobs)) jobParams[name] = input.params[name] ?? '';
  return { schedulesEnabled, states, disabledBecause, jobParams, warnings, stageParams };
}
