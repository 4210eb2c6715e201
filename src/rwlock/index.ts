/**
 * `threadkit/rwlock`: a writer-preferring reader-writer lock that works across worker threads.
 *
 * @module rwlock
 */
export { RwLock, type RwLockOptions } from './rwlock.js';
export type { RwLockGuard } from './rwlock-guard.js';
export type { WaitAsyncOptions } from '../internal/wait-options.js';
// The deadlock diagnostics (slow-lock reports) cover this module's waits too; the same settings as
// `threadkit/mutex` exports (one per thread).
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
} from '../errors.js';
