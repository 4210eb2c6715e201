/**
 * `threadkit/event`: a flag that threads wait for (Python's `threading.Event`).
 *
 * @module event
 */
export { Event, type EventOptions } from './event.js';
export type { WaitAsyncOptions } from '../internal/wait-options.js';
export { ThreadkitError, TimeoutError, BlockingNotAllowedError } from '../errors.js';
