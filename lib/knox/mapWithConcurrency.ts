/**
 * Runs `worker` over a queue that may grow while it runs (a refused chunk pushes its halves back),
 * with at most `concurrency` calls in flight. Resolves when the queue is empty and all workers
 * are idle; a worker that throws rejects the whole run (workers are expected to catch their own
 * Knox failures).
 *
 * @example
 * await drainQueue([a, b, c], 4, async (item, queue) => { ... queue.unshift(smaller) ... });
 */
export async function drainQueue<T>(
  queue: T[],
  concurrency: number,
  worker: (item: T, queue: T[]) => Promise<void>,
): Promise<void> {
  let active = 0;
  let failed = false;
  await new Promise<void>((resolve, reject) => {
    const pump = (): void => {
      if (failed) return;
      if (queue.length === 0 && active === 0) {
        resolve();
        return;
      }
      while (active < concurrency && queue.length > 0) {
        const item = queue.shift() as T;
        active += 1;
        worker(item, queue).then(
          () => {
            active -= 1;
            pump();
          },
          (error: unknown) => {
            failed = true;
            reject(error);
          },
        );
      }
    };
    pump();
  });
}
