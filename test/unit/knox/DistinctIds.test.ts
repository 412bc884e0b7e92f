import { describe, expect, it } from 'vitest';
import { DistinctIds } from '../../../lib/knox/DistinctIds';

describe('DistinctIds', () => {
  it('cuts ranges of up to `count` distinct ids, skipping ids seen before', () => {
    const distinct = new DistinctIds(['a', 'b', 'a', 'c', 'b', 'd', 'e']);

    const ranges = [distinct.next(2), distinct.next(2), distinct.next(2)];

    expect(ranges).toEqual([
      { start: 0, end: 2 },
      { start: 2, end: 4 },
      { start: 4, end: 5 },
    ]);
    expect(distinct.next(2)).toBeUndefined();
    expect(distinct.list).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(ranges.map((range) => range && distinct.slice(range))).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(distinct.hasDuplicates).toBe(true);
    expect(distinct.done).toBe(true);
  });

  it('keeps the input itself as the list while it has no duplicate', () => {
    const ids = ['a', 'b', 'c'];
    const distinct = new DistinctIds(ids);

    distinct.next(2);
    const partial = distinct.list;
    distinct.next(2);

    expect(partial).toEqual(['a', 'b']);
    expect(distinct.list).toBe(ids);
    expect(distinct.hasDuplicates).toBe(false);
  });

  it('keeps a duplicate found after the first chunk out of later chunks', () => {
    const distinct = new DistinctIds(['a', 'b', 'c', 'a', 'a', 'd']);

    const first = distinct.next(3);
    const second = distinct.next(3);

    expect(first && distinct.slice(first)).toEqual(['a', 'b', 'c']);
    expect(second && distinct.slice(second)).toEqual(['d']);
    expect(distinct.list).toEqual(['a', 'b', 'c', 'd']);
  });

  it('has nothing to give for an empty list', () => {
    const distinct = new DistinctIds([]);
    expect(distinct.next(10)).toBeUndefined();
    expect(distinct.done).toBe(true);
    expect(distinct.list).toEqual([]);
  });
});
