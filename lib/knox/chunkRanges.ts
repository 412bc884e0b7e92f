/** A half-open range [start, end) of indexes into a list of device ids. */
export interface IndexRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Splits `length` items into consecutive ranges of at most `size` items. Ranges instead of copied
 * arrays keep memory flat for a million-device job; the last range holds the remainder.
 *
 * @example
 * chunkRanges(5, 2); // [{start: 0, end: 2}, {start: 2, end: 4}, {start: 4, end: 5}]
 */
export function chunkRanges(length: number, size: number, offset = 0): IndexRange[] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`Chunk size must be a positive integer, got ${size}`);
  const ranges: IndexRange[] = [];
  for (let start = 0; start < length; start += size) {
    ranges.push({ start: offset + start, end: offset + Math.min(start + size, length) });
  }
  return ranges;
}

/**
 * The ranges a refused chunk is split into after Knox answered DEVICE_BULK_OPERATION_LIMIT_EXCEEDED:
 * halves (or smaller, when an earlier refusal already taught a lower limit), never empty.
 *
 * @example
 * shrinkRange({ start: 0, end: 10 }, 10); // [{start: 0, end: 5}, {start: 5, end: 10}]
 */
export function shrinkRange(range: IndexRange, knownLimit: number): IndexRange[] {
  const length = range.end - range.start;
  const size = Math.max(1, Math.min(Math.ceil(length / 2), knownLimit));
  return chunkRanges(length, size, range.start);
}
