// An in-memory Powertools idempotency persistence layer, for tests that drive the real
// `makeIdempotent` wrapper without DynamoDB (Powertools' own tests use such a class). It keeps the
// DynamoDB layer's put condition (functions/shared/runtime.ts uses DynamoDBPersistenceLayer): a
// record may be written when its key is new, its record expired, or it is INPROGRESS and its
// in-progress expiry has passed. `now` is the test's clock (ms), so a crashed invocation's
// INPROGRESS record lapses when the test moves time past the invocation's remaining time;
// `beforeWrite` lets a test fail or drop a write (a store outage, a crashed process).
import {
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
} from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';

/** What the store holds per key (the DynamoDB item's attributes). */
export interface StoredIdempotencyRecord {
  readonly status: string;
  readonly expiryTimestamp?: number;
  readonly inProgressExpiryTimestamp?: number;
  /** The result as JSON text, as DynamoDB hands back a fresh copy on every read. */
  readonly responseData?: string;
  readonly payloadHash?: string;
}

export type IdempotencyWrite = 'put' | 'update' | 'delete';

export class MemoryIdempotencyStore extends BasePersistenceLayer {
  readonly records = new Map<string, StoredIdempotencyRecord>();
  readonly #now: () => number;
  readonly #beforeWrite: (write: IdempotencyWrite) => void;

  constructor(options: { now: () => number; beforeWrite?: (write: IdempotencyWrite) => void }) {
    super();
    this.#now = options.now;
    this.#beforeWrite = options.beforeWrite ?? (() => {});
  }

  protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const item = this.records.get(idempotencyKey);
    if (!item) throw new IdempotencyItemNotFoundError();
    return this.#toRecord(idempotencyKey, item);
  }

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    this.#beforeWrite('put');
    const now = this.#now();
    const existing = this.records.get(record.idempotencyKey);
    const writable =
      existing === undefined ||
      (existing.expiryTimestamp !== undefined && existing.expiryTimestamp < now / 1000) ||
      (existing.status === 'INPROGRESS' &&
        existing.inProgressExpiryTimestamp !== undefined &&
        existing.inProgressExpiryTimestamp < now);
    if (!writable) {
      throw new IdempotencyItemAlreadyExistsError(
        `Failed to put record for already existing idempotency key: ${record.idempotencyKey}`,
        this.#toRecord(record.idempotencyKey, existing),
      );
    }
    this.records.set(record.idempotencyKey, {
      status: record.getStatus(),
      expiryTimestamp: record.expiryTimestamp,
      inProgressExpiryTimestamp: record.inProgressExpiryTimestamp,
      payloadHash: record.payloadHash,
    });
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    this.#beforeWrite('update');
    const existing = this.records.get(record.idempotencyKey);
    this.records.set(record.idempotencyKey, {
      ...existing,
      status: record.getStatus(),
      expiryTimestamp: record.expiryTimestamp,
      ...(record.responseData === undefined ? {} : { responseData: JSON.stringify(record.responseData) }),
    });
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.#beforeWrite('delete');
    this.records.delete(record.idempotencyKey);
  }

  #toRecord(idempotencyKey: string, item: StoredIdempotencyRecord): IdempotencyRecord {
    return new IdempotencyRecord({
      idempotencyKey,
      status: item.status as never,
      expiryTimestamp: item.expiryTimestamp,
      inProgressExpiryTimestamp: item.inProgressExpiryTimestamp,
      responseData: item.responseData === undefined ? undefined : JSON.parse(item.responseData),
      payloadHash: item.payloadHash,
    });
  }
}
