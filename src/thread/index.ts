/**
 * `threadkit/thread`: threads with results, and a thread pool.
 *
 * @module thread
 */
export {};
