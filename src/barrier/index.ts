/**
 * `threadkit/barrier`: a reusable meeting point for a fixed number of parties (Python's `threading.Barrier`).
 *
 * @module barrier
 */
export { Barrier, type BarrierOptions, type BarrierWaitResult } from './barrier.js';
export type { WaitAsyncOptions } from '../internal/wait-options.js';
export { ThreadkitError, BrokenBarrierError, TimeoutError, BlockingNotAllowedError } from '../errors.js';
