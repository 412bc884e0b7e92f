/**
 * The storage port under `createAlertStateStore`: one table of items keyed by `pk`, read whole and
 * changed by conditional updates. The alert state logic (which item, which change, under which
 * condition) is written once against it; `createDynamoAlertStateStore` runs it on DynamoDB and
 * `createMemoryAlertStateStore` in a `Map`, so both stores answer the same way by construction (and
 * test/integration/alerts/alertStateStore.contract.test.ts checks that they do).
 */

/** An item's attribute value: a DynamoDB String, Number or String Set. */
export type StateValue = string | number | ReadonlySet<string>;

/** One item, as `@aws-sdk/util-dynamodb`'s `unmarshall` answers it (String Sets are `Set`s). */
export type StateItem = Readonly<Record<string, StateValue>>;

/** A condition on the item before the update (DynamoDB's ConditionExpression, as data). */
export type StateCondition =
  | { readonly and: readonly StateCondition[] }
  | { readonly or: readonly StateCondition[] }
  | { readonly exists: string }
  | { readonly absent: string }
  | { readonly attr: string; readonly op: '=' | '<>' | '<=' | '>'; readonly value: string | number }
  | { readonly notContains: string; readonly value: string };

/**
 * A change of one item, as DynamoDB's UpdateExpression clauses: `set` (an `undefined` value is
 * left out), `setIfAbsent` (`if_not_exists`), `add` (numbers add, sets unite; a missing attribute
 * starts at 0 / empty), `remove`, and `delete` (elements from a set; an emptied set is removed).
 * An attribute appears in at most one clause, as DynamoDB demands.
 */
export interface StateUpdate {
  readonly set?: Readonly<Record<string, StateValue | undefined>>;
  readonly setIfAbsent?: Readonly<Record<string, StateValue>>;
  readonly add?: Readonly<Record<string, number | ReadonlySet<string> | undefined>>;
  readonly remove?: readonly string[];
  readonly delete?: Readonly<Record<string, ReadonlySet<string>>>;
  /** Without one the update always applies; an update of a missing item creates it. */
  readonly condition?: StateCondition;
  /**
   * Names for values, so the written expression reads (`lastNotifiedAt = :now`) in logs and fault
   * tests can pick a write out: a value equal to one of these is written as `:<name>`. Meaning
   * nothing to the update itself.
   */
  readonly params?: Readonly<Record<string, string | number>>;
  /** Which item the update answers: the one after it (`new`) or before it (`old`, `null` if none). */
  readonly returns?: 'new' | 'old';
}

/** Where `createAlertStateStore` keeps its items: DynamoDB, or a `Map` for tests and tools. */
export interface StateTable {
  /** The item (strongly consistent), `undefined` when there is none; throws `AlertStateError`. */
  get(pk: string): Promise<StateItem | undefined>;
  /**
   * Applies `update` to the item `pk` when its condition holds: the item `returns` asks for
   * (`null` when it asks for none, or for `old` of a new item); `undefined` when the condition did
   * not hold. Throws `AlertStateError` when the write itself failed.
   */
  update(pk: string, update: StateUpdate): Promise<StateItem | null | undefined>;
}

/** `attr = value` */
export const eq = (attr: string, value: string | number): StateCondition => ({ attr, op: '=', value });
/** `attr <> value` (true for a missing attribute, as in DynamoDB) */
export const ne = (attr: string, value: string | number): StateCondition => ({ attr, op: '<>', value });
/** `attr <= value` */
export const lte = (attr: string, value: number): StateCondition => ({ attr, op: '<=', value });
/** `attr > value` */
export const gt = (attr: string, value: number): StateCondition => ({ attr, op: '>', value });
/** `attribute_not_exists(attr)` */
export const absent = (attr: string): StateCondition => ({ absent: attr });
/** `attribute_exists(attr)` */
export const exists = (attr: string): StateCondition => ({ exists: attr });
/** `NOT contains(attr, value)` for a String Set (true for a missing set) */
export const notContains = (attr: string, value: string): StateCondition => ({ notContains: attr, value });
/** Every condition holds; `undefined` ones are left out. */
export const and = (...all: readonly (StateCondition | undefined)[]): StateCondition => ({
  and: all.filter((condition): condition is StateCondition => condition !== undefined),
});
/** One of the conditions holds. */
export const or = (...any: readonly StateCondition[]): StateCondition => ({ or: any });
