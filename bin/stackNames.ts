// The names the admin CLI needs of a deployed stack, read from the same files serverless reads, so
// a renamed service or table cannot leave the CLI pointing at a table that does not exist.

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** What the CLI reads of serverless.yml and infra/state-table.yml for one stage. */
export interface StackNames {
  /** `${self:service}-${sls:stage}-state` as infra/state-table.yml names it. */
  readonly tableName: string;
  /** serverless.yml's default region (`${opt:region, 'eu-central-1'}`): where a plain deploy goes. */
  readonly defaultRegion: string;
}

/**
 * The state table's name and the default region of a stage, as serverless resolves them for a
 * deploy without `--region`: `service` and `provider.region` from serverless.yml, the table's
 * `TableName` from infra/state-table.yml with `${self:service}` and `${sls:stage}` replaced.
 *
 * @throws Error when the files do not declare them (a clear message naming the file).
 * @example
 * stackNames(new URL('../', import.meta.url), 'prod');
 * // { tableName: 'knox-guard-sentinel-prod-state', defaultRegion: 'eu-central-1' }
 */
export function stackNames(root: URL, stage: string): StackNames {
  const manifest = readFileSync(new URL('serverless.yml', root), 'utf8');
  const service = /^service:\s*([A-Za-z0-9-]+)\s*$/m.exec(manifest)?.[1];
  if (!service) throw new Error('serverless.yml declares no service name');
  const region = /^ {2}region:\s*\$\{opt:region,\s*'([a-z0-9-]+)'\}/m.exec(manifest)?.[1] ?? 'eu-central-1';
  // Only the table's name is read: the template's intrinsics (!Ref ...) are not needed here.
  const template = readFileSync(new URL('infra/state-table.yml', root), 'utf8');
  const tableTemplate = /^\s+TableName:\s*(\S+)\s*$/m.exec(template)?.[1];
  if (!tableTemplate) throw new Error('infra/state-table.yml declares no TableName');
  const tableName = String(parse(tableTemplate))
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a serverless variable
    .replaceAll('${self:service}', service)
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a serverless variable
    .replaceAll('${sls:stage}', stage);
  return { tableName, defaultRegion: region };
}
