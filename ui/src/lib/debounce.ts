// Runs the last call of a burst once the burst is over (search as you type).

export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): ((...args: A) => void) & { cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const run = (...args: A) => {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      fn(...args);
    }, ms);
  };
  run.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  return run;
}

/**
 * Keeps only the answer of the latest request: returns a wrapper whose promise resolves
 * to `undefined` when a newer call was made meanwhile (so stale search results never
 * overwrite fresh ones).
 */
export function latest<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R | undefined> {
  let generation = 0;
  return async (...args: A) => {
    const mine = ++generation;
    const result = await fn(...args);
    return mine === generation ? result : undefined;
  };
}
