import type { JobParams } from './jobParams';
import { type JobsConfig, resolveJobsConfig } from './jobsConfig';
import { parseJobsYaml } from './parseJobsYaml';

/**
 * Parses and validates `config/jobs.yml` for one stage (YAML text, or data already parsed) with
 * `resolveJobsConfig` (with the stage's `params`, if any). Kept apart from it so the Lambda bundles, which embed the validated JSON at
 * build time, never include the YAML parser.
 *
 * @throws JobsConfigError when the text is not valid YAML (`parseJobsYaml`: file and line) or does not validate
 * @example
 * const config = loadJobsConfig(await readFile('config/jobs.yml', 'utf8'), 'prod');
 * config.jobs.get('overdue-lock')?.operation; // 'lock'
 */
export function loadJobsConfig(source: string | unknown, stage: string, params: JobParams = {}): JobsConfig {
  const raw = typeof source === 'string' ? parseJobsYaml(source) : source;
  return resolveJobsConfig(raw, stage, params);
}
