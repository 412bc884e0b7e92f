import * as v from 'valibot';

/**
 * Refuses arrays before `schema` (a valibot object or record) sees the value. valibot takes any
 * non-null `typeof 'object'` as an object, so `[]` would pass as `{}` where every key is optional
 * and a list of jobs as a record keyed `'0'`, `'1'`, ...; our configs and messages want a mapping.
 *
 * @example
 * const contact = nonArray(v.strictObject({ tel: v.optional(v.string()) }));
 * v.safeParse(contact, []).issues?.[0]?.message; // 'Invalid type: Expected Object but received Array'
 */
export function nonArray<const TSchema extends v.GenericSchema>(schema: TSchema) {
  return v.pipe(
    v.custom<v.InferInput<TSchema>>(
      (input) => !Array.isArray(input),
      (issue) => `Invalid type: Expected Object but received ${issue.received}`,
    ),
    schema,
  );
}
