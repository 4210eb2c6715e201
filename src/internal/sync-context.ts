// The synchronous context storage: what thread-locals use where the runtime has no AsyncLocalStorage
// (browsers). Shared by the Node build (as the 'sync' fallback) and the browser build (as the only kind).

/** The subset of AsyncLocalStorage that thread-locals use. */
export interface ContextStorage<S> {
  /** The store of the current execution context, or undefined outside every run(). */
  getStore(): S | undefined;
  /** Calls `fn` with `store` as the current store; restores the previous one when `fn` returns or throws. */
  run<R>(store: S, fn: () => R): R;
}

/**
 * The synchronous fallback: a single "current store" variable saved and restored around run().
 * Correct for synchronous code on one thread, since nothing else can run while `fn` runs.
 */
export class SyncContextStorage<S> implements ContextStorage<S> {
  /** The store of the innermost run() on the call stack; undefined outside every run(). */
  #current: S | undefined = undefined;

  getStore(): S | undefined {
    return this.#current;
  }

  run<R>(store: S, fn: () => R): R {
    const previous = this.#current;
    this.#current = store;
    try {
      return fn();
    } finally {
      this.#current = previous;
    }
  }
}
