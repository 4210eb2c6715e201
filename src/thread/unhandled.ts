// A thread's error that nobody looks at is reported once, so that a failing fire-and-forget thread is
// never silent: Python's threading.excepthook prints "Exception in thread ..." for the same reason,
// and Node reports a rejected promise without a handler the same way.
//
// When: a Thread that fails on its own (its target threw or rejected, or its worker died) schedules
// one check on the event loop's next check phase (setImmediate; setTimeout 0 where there is none).
// If by then its error has not been delivered to the program (join()/joinSync() rejecting or
// throwing with it, `result` throwing it, `error` returning it), the check reports it. A pending
// join() delivers it in the microtasks that follow the failure, well before the check; so does a
// join() called later in the same turn of the event loop. The check runs before the next I/O or
// timer callback, as Node's unhandled-rejection check runs before them.
//
// Never reported: terminate(), an abort through the thread's signal (both are the program's own
// doing), and an error start() threw (it was thrown to the caller).
//
// Late errors: a timer or an unhandled rejection that a target left behind can kill its worker after
// the target settled (a Thread's result already delivered, a pool worker between tasks). No join()
// or task promise can ever carry that error, so it is reported at once, through the same warning.
import { emitWarning } from '../internal/runtime.js';

/** The `name` of the warning a report emits (`process.on('warning', w => ...)` sees it). */
const UNHANDLED_THREAD_ERROR = 'UnhandledThreadError';

/**
 * Runs `fn` at the end of this turn of the event loop. Not unref'd, and need not be: it runs in this
 * turn (or the next, for a timer), so it cannot keep the process alive, and an unref'd one is dropped
 * when the process exits in this turn (Bun drops an unref'd immediate), which is just when the last
 * worker of a fire-and-forget script fails.
 */
function afterThisTurn(fn: () => void): void {
  if (typeof setImmediate === 'function') setImmediate(fn);
  else setTimeout(fn, 0);
}

/**
 * Schedules the check of a thread that just failed on its own: unless `quiet()` says the error was
 * delivered (or the failure is no longer the thread's own), it is reported once as a warning named
 * {@link UNHANDLED_THREAD_ERROR}, with the error as its `cause`. Never throws.
 */
export function checkUnhandled(threadName: string, error: unknown, quiet: () => boolean): void {
  afterThisTurn(() => {
    if (!quiet()) report(`Exception in thread ${threadName}:`, error);
  });
}

/**
 * Reports `error`, which killed thread `threadName` after its work was done (see "Late errors" above):
 * `when` says when, e.g. `after its target returned`. Never throws.
 */
export function reportLateError(threadName: string, when: string, error: unknown): void {
  report(`Exception in thread ${threadName} (${when}):`, error);
}

/** Emits the warning: `title`, then the error's stack. Never throws. */
function report(title: string, error: unknown): void {
  try {
    const warning = new Error(`${title}\n${describeError(error)}`, { cause: error });
    warning.name = UNHANDLED_THREAD_ERROR;
    // The warning's own stack would show this check, not the thread: its message carries that.
    warning.stack = `${warning.name}: ${warning.message}`;
    emitWarning(warning);
  } catch {
    // A report must never become an error of its own (a throwing 'warning' listener, a hostile
    // error object): there is nowhere to report it to.
  }
}

/** The error's stack when it has one (it starts with its name and message), else its text. */
function describeError(error: unknown): string {
  try {
    const stack = (error as { stack?: unknown } | null)?.stack;
    if (typeof stack === 'string' && stack !== '') return stack;
    return String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}
