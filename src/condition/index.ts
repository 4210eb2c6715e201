/**
 * `threadkit/condition`: a condition variable bound to a Mutex (Python's `threading.Condition`).
 *
 * @module condition
 */
export { Condition, type ConditionOptions } from './condition.js';
export type { WaitAsyncOptions } from '../internal/wait-options.js';
export {
  ThreadkitError,
  NotOwnerError,
  OwnerDiedError,
  TimeoutError,
  BlockingNotAllowedError,
} from '../errors.js';
