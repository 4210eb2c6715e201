// The one place that touches the runtime's async-context machinery (AsyncLocalStorage). Thread-locals
// ask here for a ContextStorage; a browser build can replace this module without touching them.
//
// Two kinds of storage keep the same interface:
//   'async' — Node's AsyncLocalStorage: a store set by run() follows every piece of async work started
//             inside it (await, promises, timers, queueMicrotask, I/O callbacks).
//   'sync'  — the fallback where no AsyncLocalStorage exists: run() scopes only the synchronous call;
//             callbacks that run later see whatever store is current when they run (usually none).
import { AsyncLocalStorage } from 'node:async_hooks';

/** The subset of AsyncLocalStorage that thread-locals use. */
export interface ContextStorage<S> {
  /** The store of the current execution context, or undefined outside every run(). */
  getStore(): S | undefined;
  /** Calls `fn` with `store` as the current store; restores the previous one when `fn` returns or throws. */
  run<R>(store: S, fn: () => R): R;
}

/** Which storage to build: 'async' follows async work (needs AsyncLocalStorage), 'sync' does not. */
export type ContextStorageKind = 'async' | 'sync';

/** Whether this runtime offers AsyncLocalStorage. */
export const hasAsyncContext: boolean = typeof AsyncLocalStorage === 'function';

/**
 * The synchronous fallback: a single "current store" variable saved and restored around run().
 * Correct for synchronous code on one thread, since nothing else can run while `fn` runs.
 */
class SyncContextStorage<S> implements ContextStorage<S> {
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

/**
 * Builds a context storage. With no argument, the best this runtime has: AsyncLocalStorage where it
 * exists, the synchronous fallback elsewhere. Asking for 'async' where it does not exist throws.
 *
 * The AsyncLocalStorage instance is returned as is (not wrapped), so `getStore()` costs one call.
 */
export function createContextStorage<S>(kind?: ContextStorageKind): ContextStorage<S> {
  const chosen = kind ?? (hasAsyncContext ? 'async' : 'sync');
  if (chosen === 'sync') return new SyncContextStorage<S>();
  if (!hasAsyncContext) throw new Error('AsyncLocalStorage is not available in this runtime');
  return new AsyncLocalStorage<S>();
}
