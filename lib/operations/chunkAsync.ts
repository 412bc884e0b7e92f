/**
 * Groups a (possibly huge, streamed) sequence into arrays of at most `size` items, holding one
 * chunk in memory at a time.
 *
 * @example
 * for await (const chunk of chunkAsync(resolveTargets(job.targets, deps), 1000)) await queue.send(chunk);
 */
export async function* chunkAsync<T>(
  source: AsyncIterable<T> | Iterable<T>,
  size: number,
): AsyncGenerator<T[]> {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  let chunk: T[] = [];
  for await (const item of source) {
    chunk.push(item);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
