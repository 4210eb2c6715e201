// A thread's error that nobody looks at is reported once, so that a failing fire-and-forget thread is
// never silent: Python's threading.excepthook prints "Exception in thread ..." for the same reason,
// and Node reports a rejected promise without a handler the same way.
//
// When: a Thread that fails on its own (its target threw or rejected, or its worker died) is given
// REPORT_GRACE_MS to have its error delivered to the program (join()/joinSync() rejecting or throwing
// with it, `result` throwing it, `error` returning it); if by then it has not been, it is reported. Or
// sooner, when the process is about to exit with it still undelivered: at 'beforeExit' (the event
// loop ran dry), or at 'exit' (process.exit(), an uncaught error). So a script whose last thread fails
// prints the report before it ends, and is not kept alive waiting for the grace period to pass.
//
// Why a grace period, and not Node's end-of-turn check: a rejected promise nobody handles by the end
// of the turn is almost always a forgotten one, since its handlers are attached where it is made. A
// Thread is a handle that the program joins when it gets to it: `const t = spawn(f); await other();
// await t.join()` is ordinary code, and a report there would be a false alarm (its join() rejects with
// the error anyway). The grace period covers that; a failure that is still unseen after it, or when
// the process ends, is taken as forgotten. A join() after the report still rejects with the error.
//
// Never reported: terminate(), an abort through the thread's signal (both are the program's own
// doing), and an error start() threw (it was thrown to the caller).
//
// Late errors: a timer or an unhandled rejection that a target left behind can kill its worker after
// the target settled (a Thread's result already delivered, a pool worker between tasks). No join()
// or task promise can ever carry that error, so it is reported at once, through the same warning.
import { emitWarning, unrefTimer } from '../internal/runtime.js';

/** The `name` of the warning a report emits (`process.on('warning', w => ...)` sees it). */
const UNHANDLED_THREAD_ERROR = 'UnhandledThreadError';

/**
 * How long after a thread fails its error may still be delivered (joined, or read) before it is
 * reported. Long enough for a join that comes after other work, short enough that a forgotten
 * thread's failure shows up while its cause is still fresh.
 */
const REPORT_GRACE_MS = 1000;

/** A failure waiting out its grace period. */
interface Pending {
  readonly threadName: string;
  readonly error: unknown;
  /** Whether the error was delivered by now (or the failure is no longer the thread's own). */
  readonly quiet: () => boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** The failures waiting out their grace period, in the order they happened (reported in that order). */
const pending = new Set<Pending>();

/** The process object where there is one (Node, Bun, Deno), to report before it exits. */
interface ExitingProcess {
  on(event: 'beforeExit' | 'exit', listener: () => void): unknown;
  off(event: 'beforeExit' | 'exit', listener: () => void): unknown;
  emit(event: 'warning', warning: Error): unknown;
}
const proc = (globalThis as { process?: Partial<ExitingProcess> }).process;
const exits: ExitingProcess | undefined =
  typeof proc?.on === 'function' && typeof proc.off === 'function' && typeof proc.emit === 'function'
    ? (proc as ExitingProcess)
    : undefined;

/** The event loop ran dry: report what is pending now (the warnings print, then the process exits). */
const onBeforeExit = () => {
  for (const entry of [...pending]) settle(entry, emitWarning);
};
/**
 * The process is exiting (process.exit(), an uncaught error): nothing asynchronous runs any more, and
 * `process.emitWarning` emits on a later tick, so the warning goes to the 'warning' listeners at once
 * (Node prints warnings through one of them, unless they are silenced).
 */
const onExit = () => {
  for (const entry of [...pending]) settle(entry, (warning) => exits?.emit('warning', warning));
};

/**
 * Starts the grace period of a thread that just failed on its own: unless `quiet()` says by its end
 * that the error was delivered (or the failure is no longer the thread's own), it is reported once as
 * a warning named {@link UNHANDLED_THREAD_ERROR}, with the error as its `cause`. Never throws.
 */
export function checkUnhandled(threadName: string, error: unknown, quiet: () => boolean): void {
  const entry: Pending = { threadName, error, quiet, timer: undefined };
  if (pending.size === 0 && exits) {
    exits.on('beforeExit', onBeforeExit);
    exits.on('exit', onExit);
  }
  pending.add(entry);
  // Unref'd: it must not keep the process alive; 'beforeExit' reports it if the process ends first.
  entry.timer = setTimeout(() => settle(entry, emitWarning), REPORT_GRACE_MS);
  unrefTimer(entry.timer);
}

/** Ends `entry`'s grace period: reports its error through `emit` unless it was delivered. */
function settle(entry: Pending, emit: (warning: Error) => void): void {
  if (!pending.delete(entry)) return;
  clearTimeout(entry.timer);
  if (pending.size === 0 && exits) {
    exits.off('beforeExit', onBeforeExit);
    exits.off('exit', onExit);
  }
  try {
    if (entry.quiet()) return;
  } catch {
    return; // a report must never become an error of its own
  }
  report(`Exception in thread ${entry.threadName}:`, entry.error, emit);
}

/**
 * Reports `error`, which killed thread `threadName` after its work was done (see "Late errors" above):
 * `when` says when, e.g. `after its target finished`. Never throws.
 */
export function reportLateError(threadName: string, when: string, error: unknown): void {
  report(`Exception in thread ${threadName} (${when}):`, error, emitWarning);
}

/** Emits the warning through `emit`: `title`, then the error's stack. Never throws. */
function report(title: string, error: unknown, emit: (warning: Error) => void): void {
  try {
    const warning = new Error(`${title}\n${describeError(error)}`, { cause: error });
    warning.name = UNHANDLED_THREAD_ERROR;
    // The warning's own stack would show this check, not the thread: its message carries that.
    warning.stack = `${warning.name}: ${warning.message}`;
    emit(warning);
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
