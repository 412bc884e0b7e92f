/**
 * The value `make` returns, computed on the first call and returned by every later one: clients,
 * configuration and pipelines are built at most once per execution environment. Callers mark
 * their `once(...)` with `/* @__PURE__ *\/`, so a bundle that never calls one drops it together
 * with what it builds.
 *
 * @example
 * const dynamo = once(() => new DynamoDBClient({}));
 * dynamo() === dynamo(); // true
 */
export const once = <T>(make: () => T): (() => T) => {
  let value: { v: T } | undefined;
  return () => {
    value ??= { v: make() };
    return value.v;
  };
};

/**
 * `once` for asynchronous work, typically a lazy `import(...)`: concurrent callers share the one
 * pending promise, and a rejected one is not kept, so the next call tries again instead of a warm
 * environment failing for good.
 *
 * @example
 * const loadQueue = onceAsync(async () => (await import('./lazy/sqsQueue')).sqsQueue(url));
 * await loadQueue(); // imports and builds once
 */
export const onceAsync = <T>(make: () => Promise<T>): (() => Promise<T>) => {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= make().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
};
