import type { StateCondition, StateItem, StateUpdate, StateValue } from './StateTable';

/**
 * Applies a `StateUpdate` to an item in memory with DynamoDB's semantics (UpdateItem's clauses and
 * ConditionExpression comparisons as the DynamoDB developer guide describes them: a comparison with
 * a missing attribute or one of another type is false, except `<>`, which is then true).
 * Answers the new item, or `undefined` when the condition does not hold. Neither item is mutated.
 *
 * Source: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
 *
 * @example
 * applyStateUpdate(undefined, 'alert#prod#j#C', { set: { status: 'active' }, add: { failures: 3 } });
 * // { pk: 'alert#prod#j#C', status: 'active', failures: 3 }
 */
export function applyStateUpdate(
  item: StateItem | undefined,
  pk: string,
  update: StateUpdate,
): StateItem | undefined {
  if (update.condition && !holds(update.condition, item ?? {})) return undefined;
  const next: Record<string, StateValue> = { ...(item ?? { pk }) };
  for (const [name, value] of Object.entries(update.set ?? {})) if (value !== undefined) next[name] = value;
  for (const [name, value] of Object.entries(update.setIfAbsent ?? {})) next[name] ??= value;
  for (const [name, value] of Object.entries(update.add ?? {})) {
    if (value === undefined) continue;
    const current = next[name];
    next[name] =
      typeof value === 'number'
        ? (typeof current === 'number' ? current : 0) + value
        : new Set([...(current instanceof Set ? current : []), ...value]);
  }
  for (const name of update.remove ?? []) delete next[name];
  for (const [name, value] of Object.entries(update.delete ?? {})) {
    const current = next[name];
    if (!(current instanceof Set)) continue;
    const left = new Set([...current].filter((element) => !value.has(element)));
    if (left.size === 0) delete next[name];
    else next[name] = left;
  }
  return next;
}

function holds(condition: StateCondition, item: StateItem): boolean {
  if ('and' in condition) return condition.and.every((part) => holds(part, item));
  if ('or' in condition) return condition.or.some((part) => holds(part, item));
  if ('exists' in condition) return item[condition.exists] !== undefined;
  if ('absent' in condition) return item[condition.absent] === undefined;
  if ('notContains' in condition) {
    const set = item[condition.notContains];
    return !(set instanceof Set && set.has(condition.value));
  }
  const current = item[condition.attr];
  const sameType = typeof current === typeof condition.value;
  switch (condition.op) {
    case '=':
      return sameType && current === condition.value;
    case '<>':
      return !(sameType && current === condition.value);
    case '<=':
      return sameType && (current as number) <= (condition.value as number);
    case '>':
      return sameType && (current as number) > (condition.value as number);
  }
}
