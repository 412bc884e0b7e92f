import type { AlertStateStore } from './AlertStateStore';
import { applyStateUpdate } from './applyStateUpdate';
import { createAlertStateStore } from './createAlertStateStore';
import type { StateItem } from './StateTable';

/**
 * The in-memory `AlertStateStore`, for unit tests, model tests and tools that need no persistence:
 * the state logic of `createAlertStateStore` over a `Map`, with DynamoDB's conditional-update
 * semantics (`applyStateUpdate`), so claims, leases and conditional writes answer as the DynamoDB
 * store's do (test/integration/alerts/alertStateStore.contract.test.ts runs both). Each call
 * completes atomically, as one DynamoDB request does.
 *
 * @example
 * const store = createMemoryAlertStateStore();
 * const pipeline = createAlertPipeline({ rules, store, publisher, clock });
 */
export function createMemoryAlertStateStore(): AlertStateStore {
  const items = new Map<string, StateItem>();
  return createAlertStateStore({
    async get(pk) {
      return items.get(pk);
    },
    async update(pk, update) {
      const before = items.get(pk);
      const after = applyStateUpdate(before, pk, update);
      if (after === undefined) return undefined;
      items.set(pk, after);
      if (update.returns === 'new') return after;
      if (update.returns === 'old') return before ?? null;
      return null;
    },
  });
}
