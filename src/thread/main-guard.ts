// Refuses to start threads from the top level of the program's main file when that file runs inside
// a thread. A thread that imports the main file (for a function or a `local()` defined there) runs its
// top level again; if that starts threads, each of them imports the file too and starts more, without
// end, until the process runs out of memory. Python's multiprocessing refuses the same (with the spawn
// start method) and points to `if __name__ == '__main__':`; so do we, at the first such Thread or
// ThreadPool.
//
// The main thread knows its main file (process.argv[1]) and passes it to every thread it starts with
// the process-wide data (process-shared.ts); threads pass it on to theirs. Only inside a thread that
// threadkit started is the stack looked at, once per Thread or ThreadPool created: the main thread, and
// a worker that threadkit did not start, never pay for it.
import { ThreadStateError } from '../errors.js';
import { isMainThread, toFileUrl } from '../internal/runtime.js';
import { nearestTopLevel } from './callsite.js';
import { currentThread } from './current.js';
import { mainEntryPath } from './main-entry.js';

/**
 * The main file received from the creator, on `globalThis` as the other per-thread state (names.ts):
 * the ESM and CommonJS builds of threadkit loaded into one thread must both see it.
 */
const MAIN_KEY = Symbol.for('threadkit.thread.mainEntry');
type Holder = { [MAIN_KEY]?: string };

/** The main thread's main file; null until looked up. */
let ownMain: string | undefined | null = null;

/** The program's main file (a path), to pass to a new thread; undefined where there is none. */
export function mainEntry(): string | undefined {
  if (!isMainThread) return (globalThis as Holder)[MAIN_KEY];
  if (ownMain === null) ownMain = mainEntryPath();
  return ownMain;
}

/** In a new threadkit thread, before any user code: remember the main file its creator passed. */
export function adoptMainEntry(path: unknown): void {
  if (typeof path === 'string') (globalThis as Holder)[MAIN_KEY] = path;
}

/**
 * Throws if the calling thread is running the top level of the main file (see the top of this file).
 * Called first thing by the constructors of Thread and ThreadPool (`what` names which).
 *
 * It is the nearest module top level on the stack that counts, so these are never refused: a
 * top level guarded by `if (currentThread().isMainThread)` (nothing starts in a thread), a function of
 * the main file that a thread runs (a module target with `export`), a module that the main file
 * imports, and anything on the main thread.
 */
export function refuseInMainTopLevel(what: 'Thread' | 'ThreadPool'): void {
  if (isMainThread) return;
  const main = (globalThis as Holder)[MAIN_KEY];
  if (main === undefined) return;
  const top = nearestTopLevel();
  if (top === undefined || top.url !== toFileUrl(main)) return;
  const file = main.slice(Math.max(main.lastIndexOf('/'), main.lastIndexOf('\\')) + 1);
  const imported = top.commonJs ? `require('./${file}')` : `await import('./${file}')`;
  throw new ThreadStateError(
    `Cannot create a ${what} in ${currentThread().name}: this thread is running the top level of the ` +
      `main program file ${main} (it was imported into the thread, e.g. by \`${imported}\`), which ` +
      'starts threads: every thread would start more, without end. Move what threads import ' +
      '(functions, `local()` objects, constants) into a module of its own, or guard the top level ' +
      "with `if (currentThread().isMainThread)` (Python's `if __name__ == '__main__':`)",
  );
}
