import { ConfigError } from './errors';
/** A value a stage parameter may have: YAML and `--param` give strings, booleans or numbers. */
export type JobParamValue = string | number | boolean | null;
export type JobParams = Readonly<Record<string, JobParamValue | undefined>>;

// `${param:<name>}`, the serverless.yml syntax: jobs.yml names the same stage parameters.
const REFERENCE = /\$\{param:([A-Za-z][\w-]*)\}/g;
const WHOLE_REFERENCE = /^\$\{param:([A-Za-z][\w-]*)\}$/;

/** What {@link resolveJobParams} made of one job. */
export interface ResolvedJobParams {
  /** The job with every reference replaced; a field whose parameter is unset is left out. */
  readonly job: Record<string, unknown>;
  /** Field path (`message`, `contact.tel`) -> the parameters its value came from. */
  readonly fields: Readonly<Record<string, readonly string[]>>;
  /** Parameters the job references that have no value (missing, null or blank), in order. */
  readonly unset: readonly string[];
}

/** True when a parameter counts as not set by the operator: missing, null or blank. */
export function isUnsetParam(value: JobParamValue | undefined): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/**
 * Replaces the `${param:<name>}` references in one job of config/jobs.yml with the stage's
 * parameter values. A value that is exactly one reference takes the parameter's own type (so
 * `enabled: ${param:approvePendingEnabled}` can be a boolean); a reference inside text is
 * replaced by the value as text. A field whose parameter is unset is dropped and the parameter
 * listed in `unset`, so the caller can keep the job disabled instead of running it with a hole.
 * Pure; never throws.
 *
 * @example
 * resolveJobParams({ message: '${param:msg}', contact: { tel: '${param:tel}' } }, { msg: 'Pay now' });
 * // { job: { message: 'Pay now', contact: {} }, fields: { message: ['msg'], 'contact.tel': ['tel'] }, unset: ['tel'] }
 */
export function resolveJobParams(job: Record<string, unknown>, params: JobParams): ResolvedJobParams {
  const fields: Record<string, string[]> = {};
  const unset = new Set<string>();
  const walk = (value: unknown, path: string): unknown => {
    if (typeof value === 'string') {
      const names = [...value.matchAll(REFERENCE)].map((match) => match[1] as string);
      if (names.length === 0) return value;
      fields[path] = names;
      const missing = names.filter((name) => isUnsetParam(params[name]));
      for (const name of missing) unset.add(name);
      if (missing.length > 0) return undefined;
      const whole = WHOLE_REFERENCE.exec(value)?.[1];
      if (whole !== undefined) return params[whole];
      return value.replace(REFERENCE, (_, name: string) => String(params[name]));
    }
    if (Array.isArray(value)) return value.map((item, index) => walk(item, `${path}.${index}`));
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value)) {
        const resolved = walk(inner, path === '' ? key : `${path}.${key}`);
        if (resolved !== undefined) out[key] = resolved;
      }
      return out;
    }
    return value;
  };
  return { job: walk(job, '') as Record<string, unknown>, fields, unset: [...unset] };
}

/**
 * Every parameter name a jobs.yml document references anywhere (base jobs and stage overrides),
 * sorted: what a deployment must hand the functions (`JOB_PARAMS`) and what the docs list.
 *
 * @example
 * referencedJobParams({ jobs: { a: { message: '${param:m}' } } }); // ['m']
 */
export function referencedJobParams(raw: unknown): string[] {
  const names = new Set<string>();
  const walk = (value: unknown): void => {
    if (typeof value === 'string')
      for (const match of value.matchAll(REFERENCE)) names.add(match[1] as string);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(walk);
  };
  walk(raw);
  return [...names].sort();
}

/** config/jobs.yml references params serverless.yml does not define; `params` names them. */
export class UndefinedParamError extends ConfigError {
  readonly params: readonly string[];
  constructor(params: readonly string[], where: string, options?: { cause?: unknown }) {
    const references = params.map((name) => `\${param:${name}}`).join(', ');
    super(
      `config/jobs.yml references ${references}, but serverless.yml defines no param ${params.join(', ')} (${where}): fix the name in config/jobs.yml, or add the param to params.default in serverless.yml (serverless would stop with "Value not found at "param" source", naming neither).`,
      options,
    );
    this.name = 'UndefinedParamError';
    this.params = params;
  }
}

/**
 * Refuses a jobs.yml document that references a param serverless.yml's `params.default` does not
 * define: every stage, including ones with no `params.<stage>` of their own, resolves its params
 * over `params.default`, so a reference missing there fails some deployment (serverless's own
 * error does not name the param).
 *
 * @throws {UndefinedParamError} naming every such param.
 * @example
 * assertJobParamsDefined({ jobs: { a: { message: '${param:mesage}' } } }, { message: '' });
 * // UndefinedParamError: config/jobs.yml references ${param:mesage}, but serverless.yml defines no param mesage (params.default) ...
 */
export function assertJobParamsDefined(raw: unknown, defaults: Readonly<Record<string, unknown>>): void {
  const missing = referencedJobParams(raw).filter((name) => !Object.hasOwn(defaults, name));
  if (missing.length > 0) throw new UndefinedParamError(missing, 'params.default');
}
