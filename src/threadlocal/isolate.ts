import { currentSlots, runWithSlots } from './slots.js';
import { checkCallback } from './thread-local.js';

/**
 * Calls `fn` in a context of its own: `fn` and all async work it starts get their own copy of every
 * thread-local, starting from the current values (like Python's `contextvars.copy_context().run`).
 * Changes made inside (set, delete, `initial()` results) stay inside; changes made outside after
 * the call starts are not seen inside. Use it per request so that concurrent requests never see
 * each other's values. The copy is shallow: an object value is shared, not cloned.
 *
 * Without AsyncLocalStorage (browsers) the copy holds for the synchronous call only.
 *
 * @param fn - called synchronously, with no arguments
 * @returns what `fn` returns
 * @throws TypeError if `fn` is not a function; otherwise whatever `fn` throws
 * @example
 * ```ts
 * import { ThreadLocal, isolate } from 'threadkit/threadlocal';
 * import { createServer } from 'node:http';
 *
 * const user = new ThreadLocal<string>();
 * createServer((req, res) =>
 *   isolate(async () => {
 *     user.set(String(req.headers['x-user'])); // this request only
 *     await new Promise((r) => setTimeout(r, 10));
 *     res.end(`hello ${user.get()}`);
 *   }),
 * ).listen(8080);
 * ```
 */
export function isolate<R>(fn: () => R): R {
  if (typeof fn !== 'function') checkCallback(fn);
  return runWithSlots(currentSlots().slice(), fn);
}
