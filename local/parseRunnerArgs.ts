// The command line of `npm start` (local/start.ts), kept apart from the runner so a bad command
// line is refused before anything starts, and so it can be tested without starting the stack.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type JobConfig, loadJobsConfig } from '../lib/config';

/** The fault scenarios `--scenario` takes, with the promise each makes (its help text). */
export const SCENARIOS = {
  default: 'a realistic tenant: too few licences, one device without SIM control configuration',
  'user-blocked': 'the API user is blocked in Knox Guard: every call fails with USER_BLOCKED_STATE',
  'rate-limited':
    'Knox Guard answers 429 bursts (with and without Retry-After): retried within the run, nothing lost',
  outage:
    'Knox Guard answers 503, resets connections and a 502 page for a while: retried within the run (what the deadline leaves is re-queued), nothing lost',
} as const;
export type Scenario = keyof typeof SCENARIOS;

/** One job of config/jobs.yml as the local stage resolves it, for `--help` and `--job`. */
export interface RunnerJob {
  readonly name: string;
  readonly operation: string;
  readonly enabled: boolean;
  /** Why a disabled job is disabled and how to enable it (absent when enabled). */
  readonly disabledBecause?: string;
  /** What an enabled job really does locally, when that is less than its name says (licence-health). */
  readonly localNote?: string;
}

/** The options of one run. */
export interface RunnerOptions {
  readonly job: string | undefined;
  /** Devices in the billing system's overdue list, 1 to 1,000,000. */
  readonly devices: number;
  readonly scenario: Scenario;
  readonly verbose: boolean;
  /** Where the state table is kept between runs (shared with the admin CLI); `undefined`: the default. */
  readonly stateDir: string | undefined;
  /** Empty the state directory first: alerts already sent are sent again. */
  readonly fresh: boolean;
}

/** What the command line asks for: a run, the help text (exit 0), or a usage error (exit 2). */
export type RunnerArgs =
  | { readonly kind: 'run'; readonly options: RunnerOptions }
  | { readonly kind: 'help' }
  | { readonly kind: 'usage-error'; readonly message: string };

/** Exit codes of `npm start`: 0 every job ran, 1 a job failed or an unexpected error, 2 usage. */
export const RunnerExit = { ok: 0, failed: 1, usage: 2 } as const;

const MAX_DEVICES = 1_000_000;

/**
 * The jobs of config/jobs.yml for the local stage, read and validated as the handlers read them
 * (`loadJobsConfig` with the file's `stages.local.params`) without starting anything.
 *
 * @throws JobsConfigError when the file does not validate (every problem listed).
 * @example
 * localJobs(new URL('../', import.meta.url)); // [{ name: 'approve-pending', operation: 'approve', enabled: true }, ...]
 */
export function localJobs(root: URL, env: NodeJS.ProcessEnv = process.env): RunnerJob[] {
  const config = loadJobsConfig(readFileSync(new URL('config/jobs.yml', root), 'utf8'), 'local');
  return [...config.jobs.values()].map((job) => {
    const note = job.enabled ? localNote(job.operation, env) : undefined;
    return {
      name: job.name,
      operation: job.operation,
      enabled: job.enabled,
      ...(job.enabled ? {} : { disabledBecause: disabledBecause(job) }),
      ...(note === undefined ? {} : { localNote: note }),
    };
  });
}

// licence-health calls the unverified licence paths only when KNOX_UNVERIFIED_LICENCE_API is "true"
// (lib/config/serviceConfig.ts, default "false"; npm start passes the shell's value through).
function localNote(operation: string, env: NodeJS.ProcessEnv): string | undefined {
  if (operation !== 'licence-health' || env.KNOX_UNVERIFIED_LICENCE_API === 'true') return undefined;
  return 'locally it only reports the licence check unavailable (unverified paths: KNOX_UNVERIFIED_LICENCE_API is not "true")';
}

// What disabled the job in stage local, naming the place to change: an unset param, a param that
// is false (`enabled: ${param:approvePendingEnabled}`), or `enabled: false` in the file.
function disabledBecause(job: JobConfig): string {
  const unset = job.unsetParams ?? [];
  if (unset.length > 0) {
    return `param ${unset.join(', ')} ${unset.length === 1 ? 'has' : 'have'} no value; set ${unset.map((name) => `stages.local.params.${name}`).join(', ')} in config/jobs.yml`;
  }
  const param = job.paramFields?.enabled?.[0];
  if (param !== undefined) {
    return `param ${param} is false; set stages.local.params.${param}: true in config/jobs.yml`;
  }
  return `config/jobs.yml sets enabled: false for it; set stages.local.jobs.${job.name}.enabled: true there to run it locally`;
}

/**
 * The usage text, listing the jobs of the local stage and the scenarios.
 *
 * @example
 * runnerHelp([{ name: 'overdue-lock', operation: 'lock', enabled: true }]);
 * // 'Usage: npm start -- [options]\n...  overdue-lock   lock  enabled\n...'
 */
export function runnerHelp(jobs: readonly RunnerJob[]): string {
  const width = Math.max(13, ...jobs.map((job) => job.name.length));
  const opWidth = Math.max(9, ...jobs.map((job) => job.operation.length));
  const indent = ' '.repeat(26);
  return `Usage: npm start -- [options]

Runs knox-guard-sentinel's main job locally, with no AWS account: a Knox Guard simulator, local
SNS/SQS/S3 (fauxqs) and DynamoDB (dynalite) on 127.0.0.1, and the packaged Lambda handlers.

Options:
  --job <name>          run only this scheduled job from config/jobs.yml (stage local)
                        (default: approve-pending, then overdue-lock, then the webhook demos)
${jobs.map((job) => `${indent}${job.name.padEnd(width)} ${job.operation.padEnd(opWidth)} ${job.enabled ? 'enabled' : 'disabled'}${job.localNote ? `\n${indent}  ${job.localNote}` : ''}`).join('\n')}
  --devices <n>         devices in the billing system's overdue list, 1 to 1,000,000 (default 40;
                        above the inline limit of 2,000 the job fans out through SQS to the workers)
  --scenario <name>     fault scenario (default: default)
${Object.entries(SCENARIOS)
  .map(([name, text]) => `${indent}${name.padEnd(width)} ${text}`)
  .join('\n')}
  --state-dir <dir>     where the alert state is kept between runs (default .tmp/local-state): alerts
                        already sent are not repeated within their repeat interval, and the admin
                        CLI (npx knox-guard-sentinel alerts ...) lists, silences and acks them there
  --fresh               empty the state directory first (every alert is new again)
  --verbose             show the handlers' structured logs (Powertools, level INFO) and error stacks;
                        without it they are hidden and an error is one line
  -h, --help            show this help

Exit codes: 0 every job ran; 1 a job failed (its scheduled run threw) or an unexpected error;
2 a usage error (unknown option, missing value, bad number, unknown or disabled job, unknown scenario).
`;
}

/**
 * Parses the runner's arguments (`node:util` parseArgs, strict): an unknown option, a missing
 * value, a `--devices` that is not a whole number from 1 to 1,000,000, an unknown `--scenario`, a
 * `--job` that config/jobs.yml does not define or disables in stage local (the message says what
 * disables it and how to enable it) is a usage error, never an exception.
 *
 * @param argv the arguments after `npm start --` (process.argv.slice(2)).
 * @param jobs the local stage's jobs (`localJobs`), to check `--job` against.
 * @example
 * parseRunnerArgs(['--job', 'nosuchjob'], jobs);
 * // { kind: 'usage-error', message: '--job nosuchjob: no such job in config/jobs.yml; the jobs are approve-pending, ...' }
 */
export function parseRunnerArgs(argv: readonly string[], jobs: readonly RunnerJob[]): RunnerArgs {
  let values: {
    job?: string;
    devices?: string;
    scenario?: string;
    verbose?: boolean;
    help?: boolean;
    'state-dir'?: string;
    fresh?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        job: { type: 'string' },
        devices: { type: 'string', default: '40' },
        scenario: { type: 'string', default: 'default' },
        verbose: { type: 'boolean', default: false },
        'state-dir': { type: 'string' },
        fresh: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    // parseArgs throws a TypeError with code ERR_PARSE_ARGS_* for what the user typed.
    if ((error as { code?: unknown }).code?.toString().startsWith('ERR_PARSE_ARGS')) {
      return { kind: 'usage-error', message: (error as Error).message };
    }
    throw error;
  }
  if (values.help) return { kind: 'help' };
  const devices = values.devices ?? '40';
  if (!/^\d+$/.test(devices) || Number(devices) < 1 || Number(devices) > MAX_DEVICES) {
    return {
      kind: 'usage-error',
      message: `--devices must be a whole number from 1 to 1,000,000 (got ${devices})`,
    };
  }
  const scenario = values.scenario ?? 'default';
  if (!Object.hasOwn(SCENARIOS, scenario)) {
    return {
      kind: 'usage-error',
      message: `--scenario must be one of ${Object.keys(SCENARIOS).join(', ')} (got ${scenario})`,
    };
  }
  const chosen = values.job === undefined ? undefined : jobs.find((job) => job.name === values.job);
  if (values.job !== undefined && chosen === undefined) {
    return {
      kind: 'usage-error',
      message: `--job ${values.job}: no such job in config/jobs.yml; the jobs are ${jobs.map((job) => job.name).join(', ')}`,
    };
  }
  if (chosen !== undefined && !chosen.enabled) {
    return {
      kind: 'usage-error',
      message: `--job ${chosen.name}: the job is disabled in stage local (its scheduled run would do nothing): ${chosen.disabledBecause ?? 'enabled: false'}`,
    };
  }
  return {
    kind: 'run',
    options: {
      job: values.job,
      devices: Number(devices),
      scenario: scenario as Scenario,
      verbose: values.verbose ?? false,
      stateDir: values['state-dir'],
      fresh: values.fresh ?? false,
    },
  };
}
