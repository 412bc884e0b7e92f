import type { IndexRange } from './chunkRanges';

/**
 * The distinct ids of a list, found a chunk at a time: `next(count)` reads on until `count` more
 * distinct ids are known and returns their range in `list`. Reading lazily lets the first chunk go
 * out while the rest of a large list is still being checked for duplicates (what a `Set` of
 * 100,000 ids costs: docs/performance.md). `list` is the input itself as long as no duplicate was found, else a copy
 * holding each id once, in first-seen order.
 *
 * @example
 * const distinct = new DistinctIds(['a', 'b', 'a', 'c']);
 * distinct.next(2); // { start: 0, end: 2 }  (a, b)
 * distinct.next(2); // { start: 2, end: 3 }  (c)
 * distinct.list;    // ['a', 'b', 'c']
 */
export class DistinctIds {
  readonly #ids: readonly string[];
  readonly #seen = new Set<string>();
  #list: readonly string[] | string[];
  #read = 0;

  constructor(ids: readonly string[]) {
    this.#ids = ids;
    this.#list = ids;
  }

  /**
   * Each id once, in first-seen order, as far as read: the input itself when all of it was read
   * and had no duplicate.
   */
  get list(): readonly string[] {
    if (this.#list !== this.#ids || this.#read === this.#ids.length) return this.#list;
    return this.#ids.slice(0, this.#read);
  }

  /** The ids of a range `next` returned. */
  slice(range: IndexRange): string[] {
    return this.#list.slice(range.start, range.end);
  }

  /** Whether a duplicate was found so far (if not, position i of `list` is position i of the input). */
  get hasDuplicates(): boolean {
    return this.#list !== this.#ids;
  }

  /** Whether every id was read. */
  get done(): boolean {
    return this.#read >= this.#ids.length;
  }

  /** The range of `list` holding up to `count` further distinct ids, or undefined when none are left. */
  next(count: number): IndexRange | undefined {
    const ids = this.#ids;
    const seen = this.#seen;
    const start = this.#distinctCount();
    let end = start;
    while (this.#read < ids.length && end - start < count) {
      const id = ids[this.#read] as string;
      // One hash operation per id: `add` either grows the set or finds the id there already.
      const size = seen.size;
      seen.add(id);
      if (seen.size > size) {
        if (this.#list !== ids) (this.#list as string[]).push(id);
        end += 1;
      } else if (this.#list === ids) {
        // The first duplicate: from here on the distinct ids are kept in a list of their own.
        this.#list = ids.slice(0, this.#read);
      }
      this.#read += 1;
    }
    return end > start ? { start, end } : undefined;
  }

  #distinctCount(): number {
    return this.#list === this.#ids ? this.#read : this.#list.length;
  }
}
