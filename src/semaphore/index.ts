/**
 * `threadkit/semaphore`: a counting (optionally bounded) semaphore that works across worker threads.
 *
 * @module semaphore
 */
export { Semaphore } from './semaphore.js';
export type { SemaphoreOptions, AcquireAsyncOptions } from './options.js';
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
  TimeoutError,
  BlockingNotAllowedError,
  SemaphoreOverflowError,
  NotOwnerError,
  OwnerDiedError,
  type HeldLock,
} from '../errors.js';
