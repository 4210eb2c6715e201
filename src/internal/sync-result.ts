// The check shared by the synchronous "run fn while holding X" helpers (Mutex.withLock, Once.run):
// an async `fn` would have its awaited part run after the helper released X, silently unprotected
// (the classic mistake: `m.withLock(async () => { await x; shared++ })`), so such a result throws.
// Condition.waitFor/waitForAsync use it for their predicate: a Promise is always truthy, so an async
// predicate would end the wait at once, before its condition was ever checked.

/** What a sync helper names in its error: itself, its parameter, what goes wrong, and what to do. */
export interface SyncHelper {
  /** The method, e.g. 'Mutex.withLock()'. */
  readonly method: string;
  /** The function parameter whose result is checked, e.g. 'fn'. */
  readonly param: string;
  /** Why a Promise does not work here, e.g. 'cannot hold the lock across `await`'. */
  readonly problem: string;
  /** What to do instead, e.g. 'use withLockAsync() for an async function'. */
  readonly advice: string;
}

/**
 * Returns `result`, what `fn` returned inside the sync helper `helper`, unless it is a thenable (an
 * object or function with a callable `then`): then throws a TypeError that names `helper.param` and
 * gives `helper.advice`. The
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
        `Expected \`${helper.param}\` to return a value, got a Promise: ${helper.method} ${helper.problem}; ` +
          helper.advice,
      );
    }
  }
  return result;
}

function ignore(): void {}
