/**
 * `threadkit/queue`: a bounded multi-producer, multi-consumer FIFO queue of values across worker
 * threads (Python's `queue.Queue`).
 *
 * @module queue
 */
export { Queue, type QueueItem, type QueueWaitOptions } from './queue.js';
export type { QueueOptions } from './memory.js';
export type { WaitAsyncOptions } from '../internal/wait-options.js';
export { ThreadkitError, TimeoutError, BlockingNotAllowedError, QueueClosedError } from '../errors.js';
