import type { NonceStore } from './NonceStore';

/**
 * A `NonceStore` in a `Map`, for unit tests and one-process tools. Expired entries are dropped
 * when looked at, as DynamoDB's TTL eventually would.
 *
 * @param now epoch milliseconds; `Date.now` by default (inject a clock to test expiry)
 * @example
 * const store = createMemoryNonceStore(() => clock);
 * await store.remember('n-1', clock + 60_000); // true
 * await store.seen('n-1'); // true
 */
export function createMemoryNonceStore(now: () => number = Date.now): NonceStore & {
  readonly size: () => number;
} {
  const entries = new Map<string, number>();
  const live = (nonce: string): boolean => {
    const expiresAt = entries.get(nonce);
    if (expiresAt === undefined) return false;
    if (expiresAt > now()) return true;
    entries.delete(nonce);
    return false;
  };
  return {
    seen: async (nonce) => live(nonce),
    remember: async (nonce, expiresAtMs) => {
      if (live(nonce)) return false;
      entries.set(nonce, expiresAtMs);
      return true;
    },
    size: () => entries.size,
  };
}
