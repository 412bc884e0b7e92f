import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ConfigError } from '../lib/config';

/** A schedule in serverless.yml or infra/*.yml names a job config/jobs.yml does not define. */
export class ScheduledJobUndefinedError extends ConfigError {
  /** Each schedule's reference, e.g. `{ job: 'payment-reminder', at: 'infra/schedules.yml line 61 (PaymentReminderSchedule)' }`. */
  readonly references: readonly { readonly job: string; readonly at: string }[];
  constructor(references: readonly { job: string; at: string }[], jobs: readonly string[]) {
    const names = [...new Set(references.map((reference) => reference.job))];
    super(
      `${names.map((name) => `"${name}"`).join(', ')} ${names.length === 1 ? 'is' : 'are'} scheduled but not a job in config/jobs.yml (its jobs: ${jobs.join(', ')}); rename the job back in config/jobs.yml or change the schedule:\n  - ${references.map((reference) => `${reference.at}: job "${reference.job}"`).join('\n  - ')}`,
    );
    this.name = 'ScheduledJobUndefinedError';
    this.references = references;
  }
}

// How a template names a job: the schedule's State (`scheduleStates.<job>`, scripts/stage-config.cjs)
// and the Scheduler's Input (`{"job":"<job>", ...}`, what scheduledRun runs).
const REFERENCES = [/scheduleStates\.([a-z0-9][a-z0-9-]*)/g, /"job"\s*:\s*"([a-z0-9][a-z0-9-]*)"/g];

/**
 * Checks that every job serverless.yml and infra/*.yml schedule exists in config/jobs.yml, so a
 * renamed job fails the build naming both, instead of packaging failing with serverless's
 * `Value not found at "file" source` at the schedule's `State`, or a deployed schedule invoking a
 * job that does not exist. A job without a schedule is fine (e.g. one run by hand or disabled).
 *
 * @param jobs the job names config/jobs.yml defines
 * @param root the repository root (infra/*.yml are read there)
 * @param manifestFile the serverless.yml to read (default `<root>/serverless.yml`)
 * @throws ScheduledJobUndefinedError naming each reference (file, line, resource) and the jobs that exist
 * @example
 * await assertScheduledJobsDefined(['overdue-lock', 'licence-health'], '/repo');
 */
export async function assertScheduledJobsDefined(
  jobs: readonly string[],
  root: string,
  manifestFile = join(root, 'serverless.yml'),
): Promise<void> {
  const infra = (await readdir(join(root, 'infra'))).filter((file) => file.endsWith('.yml')).sort();
  const files = [manifestFile, ...infra.map((file) => join(root, 'infra', file))];
  const known = new Set(jobs);
  const missing: { job: string; at: string }[] = [];
  for (const file of files) {
    const lines = (await readFile(file, 'utf8')).split('\n');
    let resource: string | undefined;
    lines.forEach((line, index) => {
      const top = /^ {2}([A-Za-z0-9]+):\s*$/.exec(line);
      if (top) resource = top[1];
      if (/^\s*#/.test(line)) return;
      for (const pattern of REFERENCES) {
        for (const match of line.matchAll(pattern)) {
          const job = match[1];
          if (job === undefined || known.has(job)) continue;
          const name = resource === undefined ? '' : ` (${resource})`;
          missing.push({ job, at: `${relative(root, file)} line ${index + 1}${name}` });
        }
      }
    });
  }
  if (missing.length > 0) throw new ScheduledJobUndefinedError(missing, jobs);
}
