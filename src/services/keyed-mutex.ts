/**
 * Runs async work one at a time per key (a task), in arrival order, so that two requests on one
 * task never interleave their runtime calls and appends.
 */
export interface KeyedMutex {
  /** Runs `work` once every earlier work on `key` has settled. */
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
}

/** Creates a {@link KeyedMutex}; keys with nothing queued cost nothing. */
export function createKeyedMutex(): KeyedMutex {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run(key, work) {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(work, work);
      const tail = result.catch(() => undefined);
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
  };
}
