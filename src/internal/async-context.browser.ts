// Browser build of async-context.ts (swapped in by tsup.config.ts): browsers have no
// AsyncLocalStorage, so thread-locals get the synchronous storage, whose run() scopes only the
// synchronous call. Same exports as the Node module.
import { SyncContextStorage, type ContextStorage } from './sync-context.js';

export type { ContextStorage };

/** Which storage to build: 'async' follows async work (needs AsyncLocalStorage), 'sync' does not. */
export type ContextStorageKind = 'async' | 'sync';

/** Whether this runtime offers AsyncLocalStorage: never in a browser. */
export const hasAsyncContext: boolean = false;

/** Builds the synchronous storage; asking for 'async' throws, as it does on a runtime without it. */
export function createContextStorage<S>(kind?: ContextStorageKind): ContextStorage<S> {
  if (kind === 'async') throw new Error('AsyncLocalStorage is not available in this runtime');
  return new SyncContextStorage<S>();
}
