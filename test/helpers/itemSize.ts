// DynamoDB item sizes as DynamoDB counts them, so tests can assert that whatever the service stores
// stays far under the 400 KB item limit.
// Source: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
// ("Item size calculations") and .../ServiceQuotas.html#limits-items (400 KB per item).
import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';

/** DynamoDB's item size limit in bytes (400 KB, names and values counted). */
export const DYNAMODB_ITEM_LIMIT = 400 * 1024;

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

// A number is stored as up to 38 significant digits, about one byte per two digits plus one.
function numberSize(value: string): number {
  const digits = value
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '');
  const significant = digits.replace(/0+$/, '').length;
  return Math.ceil(Math.max(significant, 1) / 2) + 1;
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((sum, item) => sum + utf8(item), 0);
  if (value.NS) return value.NS.reduce((sum, item) => sum + numberSize(item), 0);
  if (value.BS) return value.BS.reduce((sum, item) => sum + item.byteLength, 0);
  // Lists and maps: 3 bytes, plus 1 byte per element, plus the elements (and a map's names).
  if (value.L) return 3 + value.L.reduce((sum, item) => sum + 1 + valueSize(item), 0);
  if (value.M)
    return (
      3 + Object.entries(value.M).reduce((sum, [name, item]) => sum + utf8(name) + 1 + valueSize(item), 0)
    );
  return 0;
}

/**
 * The size DynamoDB counts for an item: attribute names plus values. Accepts a marshalled item
 * (as the SDK returns it) or a plain object, which is marshalled first.
 *
 * @example
 * dynamoItemSize({ pk: 'chunk#r1#0#0', data: JSON.stringify(outcome) }); // bytes
 */
export function dynamoItemSize(item: Record<string, AttributeValue> | Record<string, unknown>): number {
  const values = Object.values(item);
  const marshalled =
    values.length > 0 && values.every((value) => isAttributeValue(value))
      ? (item as Record<string, AttributeValue>)
      : (marshall(item, { removeUndefinedValues: true }) as Record<string, AttributeValue>);
  return Object.entries(marshalled).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);
}

function isAttributeValue(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const keys = Object.keys(value);
  return (
    keys.length === 1 &&
    ['S', 'N', 'B', 'BOOL', 'NULL', 'SS', 'NS', 'BS', 'L', 'M'].includes(keys[0] as string)
  );
}

/** Every item of a (local) table with its pk and DynamoDB size, largest first. */
export async function tableItemSizes(
  client: DynamoDBClient,
  tableName: string,
): Promise<{ pk: string; bytes: number; item: Record<string, AttributeValue> }[]> {
  const sizes: { pk: string; bytes: number; item: Record<string, AttributeValue> }[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    for (const item of page.Items ?? [])
      sizes.push({ pk: item.pk?.S ?? '?', bytes: dynamoItemSize(item), item });
    start = page.LastEvaluatedKey;
  } while (start);
  return sizes.sort((a, b) => b.bytes - a.bytes);
}
