/**
 * `threadkit/threadlocal`: per-thread (and per-async-context) values.
 *
 * @module threadlocal
 */
export {};
