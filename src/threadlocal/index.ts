/**
 * `threadkit/threadlocal`: per-thread (and per-async-context) values, backed by AsyncLocalStorage.
 * See the "Thread-locals" guide for the full semantics.
 *
 * @module threadlocal
 */
export { ThreadLocal, type ThreadLocalOptions } from './thread-local.js';
export { local, type LocalOptions } from './local.js';
export { isolate } from './isolate.js';
