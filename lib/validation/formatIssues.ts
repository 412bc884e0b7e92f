import type * as v from 'valibot';

/**
 * The keys from the root of the parsed value down to what an issue is about, as valibot records
 * them: property names, array indexes (numbers) and record keys.
 *
 * @example
 * issuePath(v.safeParse(v.object({ ids: v.array(v.string()) }), { ids: [1] }).issues![0]);
 * // ['ids', 0]
 */
export function issuePath(issue: v.BaseIssue<unknown>): (string | number)[] {
  return (issue.path ?? []).map((item) => (typeof item.key === 'number' ? item.key : String(item.key)));
}

/**
 * Words valibot issues as the `path: message` lines our errors list: the path dotted under
 * `prefix` (`jobs.overdue-lock.message: ...`), `(root)` for an issue about the value itself.
 *
 * @example
 * const result = v.safeParse(envSchema, process.env);
 * if (!result.success) throw new ServiceConfigError(formatIssues(result.issues));
 * // ['STATE_TABLE: Invalid key: Expected "STATE_TABLE" but received undefined']
 */
export function formatIssues(
  issues: readonly v.BaseIssue<unknown>[],
  prefix: readonly (string | number)[] = [],
): string[] {
  return issues.map((issue) => {
    const path = [...prefix, ...issuePath(issue)].join('.');
    return `${path || '(root)'}: ${issue.message}`;
  });
}
