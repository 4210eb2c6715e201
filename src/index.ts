/**
 * threadkit: Python-`threading`-grade concurrency for JavaScript with real parallelism.
 *
 * This entry point re-exports every module; import `threadkit/mutex`, `threadkit/thread` or
 * `threadkit/threadlocal` to load only one.
 *
 * @module threadkit
 */
export * from './mutex/index.js';
export * from './thread/index.js';
export * from './threadlocal/index.js';
export * from './semaphore/index.js';
export * from './event/index.js';
export * from './latch/index.js';
export * from './condition/index.js';
export * from './barrier/index.js';
export * from './once/index.js';
export * from './rwlock/index.js';
export * from './queue/index.js';
export * from './errors.js';
