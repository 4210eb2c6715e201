// What a call throws, for tests that inspect the error (its class, message, cause) rather than match it.

/** The error `fn` throws; throws itself if `fn` returns. */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}
