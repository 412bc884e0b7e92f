import { findPlaceholder } from './findPlaceholder';
import { isUnsetParam, type JobParams, type JobParamValue, referencedJobParams } from './jobParams';
import { resolveJobsConfig } from './jobsConfig';

/** An EventBridge Scheduler schedule's `State`. */
export const ScheduleState = { enabled: 'ENABLED', disabled: 'DISABLED' } as const;
export type ScheduleState = (typeof ScheduleState)[keyof typeof ScheduleState];

// The fields of a job that reach a device's screen (and the people who read it).
const DEVICE_FACING_FIELDS = ['message', 'contact.tel', 'contact.email'] as const;

export interface JobSchedulePlanInput {
  /** config/jobs.yml as plain data. */
  readonly jobs: unknown;
  readonly stage: string;
  /**
   * The stage's resolved serverless.yml params (`params.default`, `params.<stage>`, `--param`):
   * `schedulesState` and every parameter jobs.yml references; more are ignored.
   */
  readonly params: JobParams;
  /** Further parameters that reach people (`alertEmails`, `alertPhones`), comma-separated lists. */
  readonly alsoCheck?: readonly string[];
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
}

/** A stage that runs its schedules holds example or placeholder values; `issues` names each one. */
export class PlaceholderValueError extends Error {
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
 * whatever `schedulesState` says, and `approve-pending` runs only with `approvePendingEnabled:
 * true`. When `schedulesState` is `ENABLED`, every message and contact of every job, and each
 * entry of the `alsoCheck` params, must pass {@link findPlaceholder}; otherwise a
 * `PlaceholderValueError` names each parameter (or config/jobs.yml path) to set. Stages whose
 * schedules are off keep working with the samples. Throws a `JobsConfigError` for a jobs file that
 * does not validate.
 *
 * Used by serverless.yml through scripts/stage-config.cjs (schedule states, `JOB_PARAMS`) and by
 * scripts/build.ts (every stage, with serverless.yml's own params).
 *
 * @example
 * const plan = planJobSchedules({ jobs, stage: 'prod', params: { schedulesState: 'ENABLED', overdueLockMessage: '' } });
 * plan.states['overdue-lock'];          // 'DISABLED'
 * plan.disabledBecause['overdue-lock']; // 'param overdueLockMessage is not set'
 */
export function planJobSchedules(input: JobSchedulePlanInput): JobSchedulePlan {
  const schedulesState = input.params.schedulesState;
  if (schedulesState !== ScheduleState.enabled && schedulesState !== ScheduleState.disabled) {
    throw new PlaceholderValueError(input.stage, [
      `param schedulesState is ${JSON.stringify(schedulesState ?? null)}; it must be ENABLED or DISABLED`,
    ]);
  }
  const schedulesEnabled = schedulesState === ScheduleState.enabled;
  const config = resolveJobsConfig(input.jobs, input.stage, input.params);

  const states: Record<string, ScheduleState> = {};
  const disabledBecause: Record<string, string> = {};
  const issues: string[] = [];
  for (const [name, job] of config.jobs) {
    const unset = job.unsetParams ?? [];
    const why = !schedulesEnabled
      ? 'schedulesState is DISABLED'
      : unset.length > 0
        ? `param ${unset.join(', ')} ${unset.length === 1 ? 'is' : 'are'} not set`
        : !job.enabled
          ? 'the job is disabled (enabled: false)'
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
  if (schedulesEnabled) {
    for (const param of input.alsoCheck ?? []) {
      const value = input.params[param];
      if (isUnsetParam(value)) continue;
      for (const entry of String(value).split(',')) {
        const reason = findPlaceholder(entry);
        if (reason !== undefined) issues.push(`param ${param} ${reason}`);
      }
    }
  }
  if (issues.length > 0) throw new PlaceholderValueError(input.stage, [...new Set(issues)]);

  const jobParams: Record<string, JobParamValue> = {};
  for (const name of referencedJobParams(input.jobs)) jobParams[name] = input.params[name] ?? '';
  return { schedulesEnabled, states, disabledBecause, jobParams };
}
