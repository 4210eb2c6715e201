/**
 * `threadkit/once`: run an initialisation exactly once across threads.
 *
 * @module once
 */
export { Once, type OnceOptions } from './once.js';
export type { WaitAsyncOptions } from '../internal/wait-options.js';
export { ThreadkitError, DeadlockError, TimeoutError, BlockingNotAllowedError } from '../errors.js';
