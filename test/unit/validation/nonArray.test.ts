import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { nonArray } from '../../../lib/validation';

describe('nonArray', () => {
  const optionalKeys = nonArray(v.strictObject({ tel: v.optional(v.string()) }));
  const record = nonArray(v.record(v.string(), v.number()));

  it('refuses arrays that valibot objects and records would take as mappings', () => {
    // valibot alone: `[]` is an object with no keys, a list a record keyed '0', '1', ...
    expect(v.is(v.strictObject({ tel: v.optional(v.string()) }), [])).toBe(true);
    expect(v.parse(v.record(v.string(), v.number()), [1, 2])).toEqual({ 0: 1, 1: 2 });

    for (const schema of [optionalKeys, record]) {
      for (const input of [[], [1, 2]]) {
        const result = v.safeParse(schema, input);
        expect(result.success).toBe(false);
        expect(result.issues?.map((issue) => issue.message)).toEqual([
          'Invalid type: Expected Object but received Array',
        ]);
      }
    }
  });

  it('leaves everything else to the wrapped schema, output included', () => {
    expect(v.parse(optionalKeys, { tel: '+4930123456' })).toEqual({ tel: '+4930123456' });
    expect(v.parse(record, { a: 1 })).toEqual({ a: 1 });
    expect(v.safeParse(optionalKeys, { fax: '1' }).issues?.[0]?.message).toBe(
      'Invalid key: Expected never but received "fax"',
    );
    expect(v.safeParse(record, 'x').issues?.[0]?.message).toBe(
      'Invalid type: Expected Object but received "x"',
    );
  });
});
