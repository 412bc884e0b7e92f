import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { formatIssues, issuePath } from '../../../lib/validation';

const schema = v.strictObject({
  name: v.pipe(v.string(), v.minLength(1)),
  ids: v.array(v.string()),
  tags: v.optional(v.record(v.string(), v.number())),
});

function issuesOf(input: unknown): v.BaseIssue<unknown>[] {
  const result = v.safeParse(schema, input);
  if (result.success) throw new Error('expected issues');
  return result.issues;
}

describe('issuePath', () => {
  it('lists property names, array indexes (as numbers) and record keys from the root down', () => {
    // Prepare
    const issues = issuesOf({ name: 'n', ids: ['a', 1], tags: { x: 'one' } });
    // Act
    const paths = issues.map(issuePath);
    // Assess
    expect(paths).toEqual([
      ['ids', 1],
      ['tags', 'x'],
    ]);
  });

  it('is empty for an issue about the value itself', () => {
    expect(issuePath(issuesOf('not an object')[0] as v.BaseIssue<unknown>)).toEqual([]);
  });
});

describe('formatIssues', () => {
  it('words each issue as a dotted `path: message` line with valibot English defaults', () => {
    expect(formatIssues(issuesOf({ name: '', ids: [2] }))).toEqual([
      'name: Invalid length: Expected >=1 but received 0',
      'ids.0: Invalid type: Expected string but received 2',
    ]);
  });

  it('puts the issues under a prefix, and says (root) when there is no path', () => {
    expect(formatIssues(issuesOf({ name: 'n', ids: [], extra: 1 }), ['jobs', 'x'])).toEqual([
      'jobs.x.extra: Invalid key: Expected never but received "extra"',
    ]);
    expect(formatIssues(issuesOf(null))).toEqual(['(root): Invalid type: Expected Object but received null']);
  });
});
