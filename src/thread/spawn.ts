// spawn(): a Thread created and started in one call.
import { describe } from '../internal/validate.js';
import { throughEntry } from './callsite.js';
import { Thread } from './thread.js';

/**
 * Creates and starts a {@link Thread} running `fn(...args)`.
 *
 * @param fn - a self-contained function (see {@link Thread})
 * @param args - its arguments, structured-cloned
 * @returns the started thread
 * @throws what the {@link Thread} constructor and `start()` throw: a {@link ThreadStateError} inside a
 *   thread running the top level of the program's main file, which would start threads without end
 * @example
 * ```ts
 * import { spawn } from 'threadkit/thread';
 * const [a, b] = [spawn((n: number) => n + 1, 1), spawn((n: number) => n + 1, 2)];
 * console.log(await a.join(), await b.join()); // 2 3
 * ```
 */
export function spawn<R, A extends unknown[]>(fn: (...args: A) => R | Promise<R>, ...args: A): Thread<R, A> {
  if (typeof fn !== 'function') throw new TypeError(`Expected \`fn\` to be a function, got ${describe(fn)}`);
  // The creator's stack is cut at spawn(): the user's frames only.
  return throughEntry(spawn, () => new Thread<R, A>(fn, { args }).start());
}
