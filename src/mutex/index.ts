/**
 * `threadkit/mutex`: a mutual-exclusion lock that works across worker threads.
 *
 * @module mutex
 */
export { Mutex } from './mutex.js';
export type { MutexOptions, LockAsyncOptions } from './options.js';
export type { MutexGuard } from './mutex-guard.js';
export {
  setDiagnostics,
  type DiagnosticsOptions,
  type SlowLockReport,
  type SlowLockHolder,
} from '../internal/diagnostics.js';
export {
  ThreadkitError,
  NotOwnerError,
  DeadlockError,
  TimeoutError,
  BlockingNotAllowedError,
  InconsistentStateError,
  OwnerDiedError,
  LockOrderError,
} from '../errors.js';
