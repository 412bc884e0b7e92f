import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonNestingDepth, MAX_JSON_DEPTH, readJsonBody } from '../../../lib/webhooks/readJsonBody';

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('readJsonBody', () => {
  it('parses UTF-8 bytes and keeps the text it parsed', () => {
    const read = readJsonBody(Buffer.from('{"operation":"lock","reason":"Zahlung überfällig"}'));

    expect(read).toEqual({
      ok: true,
      text: '{"operation":"lock","reason":"Zahlung überfällig"}',
      json: { operation: 'lock', reason: 'Zahlung überfällig' },
    });
  });

  it('removes one leading byte order mark, and only one', () => {
    const once = readJsonBody(Buffer.from('\uFEFF{"a":1}'));
    const twice = readJsonBody(Buffer.from('\uFEFF\uFEFF{"a":1}'));

    expect(once).toEqual({ ok: true, text: '{"a":1}', json: { a: 1 } });
    expect(twice.ok).toBe(false);
  });

  it('refuses text that is not JSON with 400 INVALID_JSON', () => {
    const read = readJsonBody('{"operation":');

    expect(read.ok).toBe(false);
    expect(!read.ok && read.error.statusCode).toBe(400);
    expect(!read.ok && read.error.body.error).toEqual({
      code: '4000001',
      message: 'INVALID_JSON',
      reason: 'The body is not valid JSON.',
    });
  });

  it(`takes nesting up to ${MAX_JSON_DEPTH} levels and refuses deeper with 400 INVALID_JSON`, () => {
    const at = readJsonBody(nested(MAX_JSON_DEPTH));
    const over = readJsonBody(`{"eventId":"deep-1","x":${nested(MAX_JSON_DEPTH)}}`);

    expect(at.ok).toBe(true);
    expect(over.ok).toBe(false);
    expect(!over.ok && over.error.statusCode).toBe(400);
    expect(!over.ok && over.error.body.error).toMatchObject({ code: '4000001', message: 'INVALID_JSON' });
    expect(!over.ok && over.error.body.error.reason).toContain(String(MAX_JSON_DEPTH));
  });

  it('refuses 200,000 levels (deeper than the call stack) without throwing', () => {
    const read = readJsonBody(`{"eventId":"deep-1","x":${nested(200_000)}}`);

    expect(read.ok).toBe(false);
    expect(!read.ok && read.error.body.error.message).toBe('INVALID_JSON');
  });

  it('takes another limit', () => {
    expect(readJsonBody('[[1]]', 1).ok).toBe(false);
    expect(readJsonBody('[[1]]', 2).ok).toBe(true);
  });
});

describe('jsonNestingDepth', () => {
  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(jsonNestingDepth('{"a":[1,"[[[{{"]}')).toBe(2);
    expect(jsonNestingDepth('["\\"[[[", {"b\\\\":[]}]')).toBe(3);
    expect(jsonNestingDepth('"no nesting"')).toBe(0);
  });

  it('agrees with the depth of any JSON value', () => {
    const depthOf = (value: unknown): number =>
      typeof value === 'object' && value !== null ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => {
        expect(jsonNestingDepth(JSON.stringify(value))).toBe(depthOf(value));
      }),
      { numRuns: 500 },
    );
  });

  it('stops counting just past the limit', () => {
    expect(jsonNestingDepth(nested(1000), 10)).toBe(11);
  });
});
