// The check shared by the synchronous "run fn while holding X" helpers (Mutex.withLock, Once.run):
// an async `fn` would have its awaited part run after the helper released X, silently unprotected
// (the classic mistake: `m.withLock(async () => { await x; shared++ })`), so such a result throws.

/** What a sync helper names in its error: itself, what an `await` in `fn` escapes, and its async form. */
export interface SyncHelper {
  /** The method, e.g. 'Mutex.withLock()'. */
  readonly method: string;
  /** Why the awaited part is unprotected, e.g. 'cannot hold the lock across `await`'. */
  readonly problem: string;
  /** The form to use instead, e.g. 'withLockAsync()'. */
  readonly asyncForm: string;
}

/**
 * Returns `result`, what `fn` returned inside the sync helper `helper`, unless it is a thenable (an
 * object or function with a callable `then`): then throws a TypeError naming `helper.asyncForm`. The
 * caller throws it through its own `finally`/`using`, so what it holds is released before the error
 * reaches its caller.
 */
export function syncResult<R>(result: R, helper: SyncHelper): R {
  // The fast path: a primitive result is never a thenable, and its `then` is not read.
  if ((typeof result === 'object' && result !== null) || typeof result === 'function') {
    const then: unknown = (result as { then?: unknown }).then;
    if (typeof then === 'function') {
      // The TypeError already reports the mistake: a later rejection of the same promise must not
      // also crash the process as an unhandled rejection, so it is marked handled here. Through
      // Promise.resolve, a foreign thenable's `then` is called in a microtask, not re-entered here.
      Promise.resolve(result).then(undefined, ignore);
      throw new TypeError(
        `Expected \`fn\` to return a value, got a Promise: ${helper.method} ${helper.problem}; ` +
          `use ${helper.asyncForm} for an async function`,
      );
    }
  }
  return result;
}

function ignore(): void {}
