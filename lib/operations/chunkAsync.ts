/**
 * Groups a (possibly huge, streamed) sequence into arrays of at most `size` items, holding one
 * chunk in memory at a time. With `weight`, a chunk also closes before its items' `bytesOf` would
 * add up to more than `maxBytes` (an item heavier than that alone still gets a chunk of its own).
 *
 * @example
 * for await (const chunk of chunkAsync(resolveTargets(job.targets, deps), 1000)) await queue.send(chunk);
 * chunkAsync(ids, 10_000, { maxBytes: 250_000, bytesOf: (id) => id.length + 3 }); // fits an SQS message
 */
export async function* chunkAsync<T>(
  source: AsyncIterable<T> | Iterable<T>,
  size: number,
  weight?: { readonly maxBytes: number; readonly bytesOf: (item: T) => number },
): AsyncGenerator<T[]> {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  let chunk: T[] = [];
  let bytes = 0;
  for await (const item of source) {
    const itemBytes = weight ? weight.bytesOf(item) : 0;
    if (weight && chunk.length > 0 && bytes + itemBytes > weight.maxBytes) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(item);
    bytes += itemBytes;
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
  }
  if (chunk.length > 0) yield chunk;
}
