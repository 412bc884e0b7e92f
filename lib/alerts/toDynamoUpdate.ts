import type { AttributeValue, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { convertToAttr } from '@aws-sdk/util-dynamodb';
import type { StateCondition, StateUpdate } from './StateTable';

/** Attribute names the state items use that DynamoDB reserves, so they are written as `#name`. */
const RESERVED = new Set(['status', 'ttl']);

/**
 * Writes a `StateUpdate` as UpdateItem's expressions: attribute names as they are, except reserved
 * words (`#status`) and names that are no identifier (`count#CODE` as `#n<i>`); values as the
 * update's named `params` (`:now`) or `:v<i>`, marshalled with `@aws-sdk/util-dynamodb` (numbers
 * as N, strings as S, sets as SS).
 *
 * Source: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
 *
 * @example
 * toDynamoUpdate({ set: { sentAt: 5 }, condition: eq('claimToken', 't') });
 * // { UpdateExpression: 'SET #n0 = :v0', ConditionExpression: '#n1 = :v1', ExpressionAttributeNames: {...}, ... }
 */
export function toDynamoUpdate(
  update: StateUpdate,
): Pick<
  UpdateItemCommandInput,
  | 'UpdateExpression'
  | 'ConditionExpression'
  | 'ExpressionAttributeNames'
  | 'ExpressionAttributeValues'
  | 'ReturnValues'
> {
  const names: Record<string, string> = {};
  const aliases = new Map<string, string>();
  const values: Record<string, AttributeValue> = {};
  const name = (attribute: string) => {
    const plain = /^[A-Za-z][A-Za-z0-9_]*$/.test(attribute);
    if (plain && !RESERVED.has(attribute)) return attribute;
    let alias = aliases.get(attribute);
    if (alias === undefined) {
      alias = plain ? `#${attribute}` : `#n${aliases.size}`;
      aliases.set(attribute, alias);
      names[alias] = attribute;
    }
    return alias;
  };
  const params = Object.entries(update.params ?? {});
  let unnamed = 0;
  const value = (native: unknown) => {
    const named = params.find(([, param]) => param === native)?.[0];
    const placeholder = named === undefined ? `:v${unnamed++}` : `:${named}`;
    values[placeholder] = convertToAttr(native);
    return placeholder;
  };
  const defined = <T>(record: Readonly<Record<string, T | undefined>> = {}) =>
    Object.entries(record).filter((entry): entry is [string, T] => entry[1] !== undefined);

  const sets = [
    ...defined(update.set).map(([attribute, native]) => `${name(attribute)} = ${value(native)}`),
    ...defined(update.setIfAbsent).map(([attribute, native]) => {
      const alias = name(attribute);
      return `${alias} = if_not_exists(${alias}, ${value(native)})`;
    }),
  ];
  const clauses = [
    sets.length > 0 ? `SET ${sets.join(', ')}` : '',
    clause(
      'ADD',
      defined(update.add).map(([attribute, native]) => `${name(attribute)} ${value(native)}`),
    ),
    clause('REMOVE', (update.remove ?? []).map(name)),
    clause(
      'DELETE',
      defined(update.delete).map(([attribute, native]) => `${name(attribute)} ${value(native)}`),
    ),
  ].filter((part) => part !== '');

  const condition = (part: StateCondition): string => {
    if ('and' in part) return part.and.map((inner) => `(${condition(inner)})`).join(' AND ');
    if ('or' in part) return part.or.map((inner) => `(${condition(inner)})`).join(' OR ');
    if ('exists' in part) return `attribute_exists(${name(part.exists)})`;
    if ('absent' in part) return `attribute_not_exists(${name(part.absent)})`;
    if ('notContains' in part) return `NOT contains(${name(part.notContains)}, ${value(part.value)})`;
    return `${name(part.attr)} ${part.op} ${value(part.value)}`;
  };
  const conditionExpression = update.condition ? condition(update.condition) : undefined;

  return {
    UpdateExpression: clauses.join(' '),
    ...(conditionExpression ? { ConditionExpression: conditionExpression } : {}),
    ...(aliases.size > 0 ? { ExpressionAttributeNames: names } : {}),
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
    ...(update.returns === 'new'
      ? { ReturnValues: 'ALL_NEW' as const }
      : update.returns === 'old'
        ? { ReturnValues: 'ALL_OLD' as const }
        : {}),
  };
}

function clause(keyword: string, parts: readonly string[]): string {
  return parts.length > 0 ? `${keyword} ${parts.join(', ')}` : '';
}
