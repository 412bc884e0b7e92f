import { describe, expect, it } from 'vitest';
import { applyStateUpdate } from '../../../lib/alerts/applyStateUpdate';
import { absent, and, eq, gt, ne, notContains, or } from '../../../lib/alerts/StateTable';
import { toDynamoUpdate } from '../../../lib/alerts/toDynamoUpdate';

describe('toDynamoUpdate', () => {
  it('writes each clause once, plain names as they are, reserved and non-identifier names aliased', () => {
    // Act
    const input = toDynamoUpdate({
      set: { lastNotifiedAt: 5, notifiedKind: 'firing', ttl: 9, skipped: undefined },
      setIfAbsent: { 'info#CODE': '{}' },
      add: { notifications: 1, jobs: new Set(['lock']) },
      remove: ['claimToken'],
      delete: { failingJobs: new Set(['unlock']) },
      params: { now: 5, kind: 'firing' },
      condition: and(eq('claimToken', 't'), or(absent('claimUntil'), gt('claimUntil', 5))),
      returns: 'new',
    });

    // Assess
    expect(input).toEqual({
      UpdateExpression:
        'SET lastNotifiedAt = :now, notifiedKind = :kind, #ttl = :v0, #n1 = if_not_exists(#n1, :v1) ADD notifications :v2, jobs :v3 REMOVE claimToken DELETE failingJobs :v4',
      ConditionExpression:
        '(claimToken = :v5) AND ((attribute_not_exists(claimUntil)) OR (claimUntil > :now))',
      ExpressionAttributeNames: { '#ttl': 'ttl', '#n1': 'info#CODE' },
      ExpressionAttributeValues: {
        ':now': { N: '5' },
        ':kind': { S: 'firing' },
        ':v0': { N: '9' },
        ':v1': { S: '{}' },
        ':v2': { N: '1' },
        ':v3': { SS: ['lock'] },
        ':v4': { SS: ['unlock'] },
        ':v5': { S: 't' },
      },
      ReturnValues: 'ALL_NEW',
    });
  });

  it('leaves out the attribute names and values DynamoDB refuses when empty', () => {
    expect(toDynamoUpdate({ remove: ['claimToken', 'claimUntil'] })).toEqual({
      UpdateExpression: 'REMOVE claimToken, claimUntil',
    });
  });
});

describe('applyStateUpdate', () => {
  it('applies the clauses with DynamoDB semantics: ADD from zero, sets united, an emptied set removed', () => {
    const created = applyStateUpdate(undefined, 'p', {
      set: { status: 'active' },
      add: { failures: 3, jobs: new Set(['lock']) },
      setIfAbsent: { firstSeenAt: 1 },
    });
    expect(created).toEqual({
      pk: 'p',
      status: 'active',
      failures: 3,
      jobs: new Set(['lock']),
      firstSeenAt: 1,
    });
    const next = applyStateUpdate(created, 'p', {
      add: { failures: 2, jobs: new Set(['unlock']) },
      setIfAbsent: { firstSeenAt: 7 },
      delete: { jobs: new Set(['lock', 'unlock']) },
      remove: ['status'],
    });
    expect(next).toEqual({ pk: 'p', failures: 5, firstSeenAt: 1 });
  });

  it('answers undefined when the condition fails; a missing attribute fails every comparison but <>', () => {
    const item = { pk: 'p', runId: 'r1' };
    expect(applyStateUpdate(item, 'p', { set: { a: 1 }, condition: eq('missing', 1) })).toBeUndefined();
    expect(applyStateUpdate(item, 'p', { set: { a: 1 }, condition: gt('missing', 0) })).toBeUndefined();
    expect(applyStateUpdate(item, 'p', { set: { a: 1 }, condition: ne('missing', 1) })).toMatchObject({
      a: 1,
    });
    expect(applyStateUpdate(item, 'p', { set: { a: 1 }, condition: eq('runId', 'r2') })).toBeUndefined();
    expect(applyStateUpdate(item, 'p', { set: { a: 1 }, condition: notContains('set', 'x') })).toMatchObject({
      a: 1,
    });
    expect(item).toEqual({ pk: 'p', runId: 'r1' });
  });
});
