/**
 * Runs `task` over `items` with at most `limit` in flight, results in input order.
 * Octokit's throttling plugin still decides when each request goes out; this bounds
 * how many repositories are being worked on, and so the memory and the queue.
 */
export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
  onDone?: (done: number) => void,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i], i);
      onDone?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(limit, 1), items.length) }, worker));
  return results;
}

/** Reports `done/total` at every tenth of the way (and at the end), so hundreds of repositories print ~10 lines. */
export function progress(total: number, what: string, log: (message: string) => void): (done: number) => void {
  const step = Math.max(Math.ceil(total / 10), 1);
  return done => {
    if (done % step === 0 || done === total) {
      log(`${what} ${done}/${total}`);
    }
  };
}
