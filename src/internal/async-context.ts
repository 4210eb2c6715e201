// The one place that touches the runtime's async-context machinery (AsyncLocalStorage). Thread-locals
// ask here for a ContextStorage; the browser build swaps in async-context.browser.ts (sync storage only).
//
// Two kinds of storage keep the same interface:
//   'async' — Node's AsyncLocalStorage: a store set by run() follows every piece of async work started
//             inside it (await, promises, timers, queueMicrotask, I/O callbacks).
//   'sync'  — the fallback where no AsyncLocalStorage exists: run() scopes only the synchronous call;
//             callbacks that run later see whatever store is current when they run (usually none).
import { AsyncLocalStorage } from 'node:async_hooks';
import { SyncContextStorage, type ContextStorage } from './sync-context.js';

export type { ContextStorage };

/** Which storage to build: 'async' follows async work (needs AsyncLocalStorage), 'sync' does not. */
export type ContextStorageKind = 'async' | 'sync';

/** Whether this runtime offers AsyncLocalStorage. */
export const hasAsyncContext: boolean = typeof AsyncLocalStorage === 'function';

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
