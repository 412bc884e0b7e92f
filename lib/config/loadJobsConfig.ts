import { parse as parseYaml } from 'yaml';
import type { JobParams } from './jobParams';
import { type JobsConfig, JobsConfigError, resolveJobsConfig } from './jobsConfig';

/**
 * Parses and validates `config/jobs.yml` for one stage (YAML text, or data already parsed) with
 * `resolveJobsConfig` (with the stage's `params`, if any). Kept apart from it so the Lambda bundles, which embed the validated JSON at
 * build time, never include the YAML parser.
 *
 * @example
 * const config = loadJobsConfig(await readFile('config/jobs.yml', 'utf8'), 'prod');
 * config.jobs.get('overdue-lock')?.operation; // 'lock'
 */
export function loadJobsConfig(source: string | unknown, stage: string, params: JobParams = {}): JobsConfig {
  let raw: unknown;
  try {
    raw = typeof source === 'string' ? parseYaml(source) : source;
  } catch (error) {
    throw new JobsConfigError([`not valid YAML: ${(error as Error).message}`], { cause: error });
  }
  return resolveJobsConfig(raw, stage, params);
}
