import { describe, expect, it } from 'vitest';
import { resolveJobsConfig } from '../../../lib/config';
import { JobOperation } from '../../../lib/config/jobsConfig';
import {
  DEVICE_OPERATIONS,
  DEVICE_STATUSES,
  DeviceStatus,
  KNOX_BULK_LIMIT,
} from '../../../lib/knox/constants';
import {
  type BodyField,
  MESSAGE_RULES,
  matchesFieldType,
  messageProblems,
  OPERATION_FIELDS,
  OPERATION_RULES,
} from '../../../lib/knox/operationRules';
import { parseChunkMessage } from '../../../lib/operations/chunkMessage';

const chunk = (params: unknown): string =>
  JSON.stringify({
    v: 1,
    stage: 'dev',
    job: 'j',
    runId: 'r',
    operation: 'blink',
    params,
    chunk: 0,
    deviceUids: ['356938035643809'],
  });

describe('the Knox vocabulary (lib/knox/operationRules.ts)', () => {
  it('lists every body field of every operation once, with the one type all its operations agree on', () => {
    const seen = new Map<string, BodyField['type']>();
    for (const rule of Object.values(OPERATION_RULES)) {
      for (const [name, field] of Object.entries(rule.fields as Readonly<Record<string, BodyField>>)) {
        expect(seen.get(name) ?? field.type, name).toBe(field.type);
        seen.set(name, field.type);
      }
    }
    expect(Object.entries(OPERATION_FIELDS)).toEqual([...seen.entries()]);
    expect(Object.keys(OPERATION_FIELDS)).toEqual([
      'message',
      'tel',
      'email',
      'interval',
      'timeLimitEnable',
      'timeLimit',
      'daysLimitEnable',
      'daysLimit',
      'enableFullscreen',
      'messageType',
      'approveId',
      'approveComment',
    ]);
  });

  it.each([
    ['a', 'string', true],
    [1.5, 'number', true],
    [Number.NaN, 'number', false],
    [Number.POSITIVE_INFINITY, 'number', false],
    ['10', 'number', false],
    [false, 'boolean', true],
    [[9, 18], 'number[]', true],
    [[9, Number.NaN], 'number[]', false],
    [9, 'number[]', false],
  ] as const)('matchesFieldType(%j, %s) is %s', (value, type, expected) => {
    expect(matchesFieldType(value, type)).toBe(expected);
  });

  it.each([
    ['lock', {}, [{ kind: 'missing' }, { kind: 'noContact' }]],
    ['lock', { message: '', tel: '' }, [{ kind: 'missing' }, { kind: 'noContact' }]],
    ['lock', { message: 'Pay', email: 'a@b.example' }, []],
    [
      'blink',
      { message: 'x'.repeat(201), tel: '+15550100' },
      [{ kind: 'tooLong', length: 201, maxLength: 200 }],
    ],
    // Code points, not UTF-16 units: 200 emoji are 400 units and fit a blink.
    ['blink', { message: '\u{1F600}'.repeat(200), tel: '+15550100' }, []],
    ['sendMessage', { message: 'x'.repeat(351) }, [{ kind: 'tooLong', length: 351, maxLength: 350 }]],
    ['sendMessage', { message: 'Hello' }, []],
    ['unlock', {}, []],
    ['constructor', {}, []],
  ] as const)('messageProblems(%s, %j)', (operation, request, expected) => {
    expect(messageProblems(operation, request)).toEqual(expected);
  });

  it('takes the message limits from the operation rows', () => {
    expect(MESSAGE_RULES.lock.maxLength).toBe(OPERATION_RULES.lock.fields.message.maxLength);
    expect(MESSAGE_RULES.blink.maxLength).toBe(200);
    for (const [operation, rule] of Object.entries(MESSAGE_RULES)) {
      expect(rule.contactRequired, operation).toBe(
        OPERATION_RULES[operation as keyof typeof MESSAGE_RULES].contactRequired,
      );
    }
  });

  it('carries every body field in a chunk message, and refuses a field no operation takes', () => {
    const sample: Record<BodyField['type'], unknown> = {
      string: 'x',
      number: 10,
      boolean: true,
      'number[]': [9, 18],
    };
    const params = Object.fromEntries(
      Object.entries(OPERATION_FIELDS).map(([name, type]) => [name, sample[type]]),
    );
    expect(parseChunkMessage(chunk(params)).params).toEqual(params);
    expect(() => parseChunkMessage(chunk({ blinkColour: 'red' }))).toThrow(/blinkColour/);
    expect(() => parseChunkMessage(chunk({ interval: '10' }))).toThrow(/interval/);
  });

  it('gives jobs.yml the operations, states and bulk limit lib/knox names', () => {
    for (const operation of Object.values(JobOperation)) {
      if (operation !== JobOperation.licenceHealth) expect(DEVICE_OPERATIONS).toContain(operation);
    }
    expect(DEVICE_STATUSES).toEqual(Object.values(DeviceStatus));
    const job = (targets: unknown, extra: Record<string, unknown> = {}) => ({
      jobs: { j: { operation: 'unlock', targets, ...extra } },
    });
    expect(() =>
      resolveJobsConfig(job({ source: 'knox', filter: { status: ['Locked', 'Completing'] } }), 'dev'),
    ).not.toThrow();
    expect(() => resolveJobsConfig(job({ source: 'knox', filter: { status: ['Active'] } }), 'dev')).toThrow(
      /status/,
    );
    const inline = { source: 'inline', deviceUids: ['356938035643809'] };
    expect(() => resolveJobsConfig(job(inline, { chunkSize: KNOX_BULK_LIMIT }), 'dev')).not.toThrow();
    expect(() => resolveJobsConfig(job(inline, { chunkSize: KNOX_BULK_LIMIT + 1 }), 'dev')).toThrow(
      /chunkSize/,
    );
  });
});
