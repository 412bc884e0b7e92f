import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkRanges, shrinkRange } from '../../../lib/knox/chunkRanges';

describe('chunkRanges', () => {
  it('splits into consecutive ranges of at most the size', () => {
    expect(chunkRanges(5, 2)).toEqual([
      { start: 0, end: 2 },
      { start: 2, end: 4 },
      { start: 4, end: 5 },
    ]);
    expect(chunkRanges(0, 10)).toEqual([]);
    expect(chunkRanges(25_000, 10_000).map((r) => r.end - r.start)).toEqual([10_000, 10_000, 5000]);
  });

  it('rejects sizes below 1', () => {
    expect(() => chunkRanges(3, 0)).toThrow(RangeError);
  });

  it('covers every index exactly once, in order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 700 }), (length, size) => {
        const ranges = chunkRanges(length, size);
        let next = 0;
        for (const range of ranges) {
          if (range.start !== next || range.end - range.start > size || range.end <= range.start)
            return false;
          next = range.end;
        }
        return next === length;
      }),
    );
  });
});

describe('shrinkRange', () => {
  it('halves a refused chunk', () => {
    expect(shrinkRange({ start: 10, end: 20 }, 10)).toEqual([
      { start: 10, end: 15 },
      { start: 15, end: 20 },
    ]);
    expect(shrinkRange({ start: 0, end: 5 }, 5)).toEqual([
      { start: 0, end: 3 },
      { start: 3, end: 5 },
    ]);
  });

  it('uses an already learned lower limit', () => {
    expect(shrinkRange({ start: 0, end: 10 }, 3).map((r) => r.end - r.start)).toEqual([3, 3, 3, 1]);
  });
});
