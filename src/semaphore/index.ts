/**
 * `threadkit/semaphore`: a counting (optionally bounded) semaphore that works across worker threads.
 *
 * @module semaphore
 */
export { Semaphore, type SemaphoreOptions, type AcquireAsyncOptions } from './semaphore.js';
export {
  ThreadkitError,
  TimeoutError,
  BlockingNotAllowedError,
  SemaphoreOverflowError,
  NotOwnerError,
  OwnerDiedError,
  type HeldLock,
} from '../errors.js';
