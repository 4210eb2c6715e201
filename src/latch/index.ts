/**
 * `threadkit/latch`: a one-shot gate that opens after N count-downs (Java's `CountDownLatch`).
 *
 * @module latch
 */
export { CountDownLatch, type CountDownLatchOptions } from './latch.js';
export type { WaitAsyncOptions } from '../internal/wait-options.js';
export { ThreadkitError, TimeoutError, BlockingNotAllowedError } from '../errors.js';
