/**
 * `threadkit/rwlock`: a writer-preferring reader-writer lock that works across worker threads.
 *
 * @module rwlock
 */
export { RwLock, type RwLockOptions } from './rwlock.js';
export type { RwLockGuard } from './rwlock-guard.js';
export type { WaitAsyncOptions } from '../internal/wait-options.js';
export {
  ThreadkitError,
  NotOwnerError,
  DeadlockError,
  TimeoutError,
  BlockingNotAllowedError,
  InconsistentStateError,
  OwnerDiedError,
} from '../errors.js';
