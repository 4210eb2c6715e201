// The public Thread: one target on its own worker thread, and the life of that thread
// (start, join, terminate, abort, exit) as seen by its creator. Its options and their checks are in
// thread-options.ts; its worker (launching it, the status word, the port) in thread-handle.ts and
// thread-launch.ts; its outcome and the delivery of it in thread-settlement.ts; spawn() in spawn.ts.
import { onAbort } from '../internal/abort-listeners.js';
import { checkTimeout } from '../internal/validate.js';
import { ThreadExitError, ThreadStateError, InconsistentStateError } from '../errors.js';
import { captureInheritable } from '../threadlocal/inherit.js';
import { creatorStack, type StackHolder } from './callsite.js';
import { cloneFailed, encodeArgs } from './clone-failure.js';
import { refuseInMainTopLevel } from './main-guard.js';
import { EXITED, SETTLED, type ThreadResult } from './protocol.js';
import type { Target } from './target.js';
import { nextThreadName } from './names.js';
import { reviveOutcome, type Outcome } from './outcome.js';
import { ThreadHandle, type ThreadLaunch } from './thread-handle.js';
import { checkThreadOptions, type ThreadOptions } from './thread-options.js';
import { ThreadSettlement } from './thread-settlement.js';
import { reportLateError } from './unhandled.js';
import { registerThreadBound } from '../internal/thread-bound.js';

export type { ThreadOptions } from './thread-options.js';

/**
 * A function (or module export) running on its own worker thread, with a result you can `join()`, as
 * in Python's `threading.Thread`. The target is shipped as source, so it must be self-contained: take
 * what it needs through `args` and `await import()` inside it (resolved as in the file that created the
 * thread). A running non-daemon thread keeps the process alive; a finished one never does. A daemon
 * thread does not by itself, but a pending `join()` on it does, until the join settles (as in Python).
 *
 * A failure is never silent. If the thread fails and its error does not reach the program within
 * a grace period of one second (through `join()` or `joinSync()`, pending or called later, or a
 * read of `result` or `error`), nor before the process exits, it is reported once, as Python's
 * `threading.excepthook` prints it: a process warning named `UnhandledThreadError` whose message is
 * `Exception in thread <name>:` and the error's stack, with the error as its `cause`
 * (`console.error` where there is no `process`). A `join()` after the report still rejects with the
 * error. A thread stopped by `terminate()` or its `signal` is not reported. Joining right away, as
 * below, or after awaiting other work for less than that second, never reports. An error that kills
 * the worker after the target finished (a promise rejection it left unhandled) is reported at once,
 * as `Exception in thread <name> (after its target finished):`, since no join can carry it.
 *
 * @typeParam R - what the target returns (or its promise resolves to)
 * @typeParam A - the target's argument list
 * @example
 * ```ts
 * import { Thread } from 'threadkit/thread';
 * const t = new Thread((n: number) => n * 2, { args: [21], name: 'doubler' }).start();
 * console.log(await t.join()); // 42
 * ```
 */
export class Thread<R = unknown, A extends unknown[] = unknown[]> {
  /** What its worker is started with. */
  readonly #launch: ThreadLaunch;
  readonly #signal: AbortSignal | undefined;
  readonly #name: string;
  /** Where the thread was created: appended below the worker's stack of a thread error. */
  readonly #creatorStack: StackHolder;
  /** Its worker, from start() on: whether it was started. */
  #handle: ThreadHandle | undefined;
  #terminated = false;
  /** Pending `join()` calls: while there is one, a daemon thread's worker is ref'd (see #keepAlive). */
  #joins = 0;
  /** Its outcome, set once when the thread settles, and whether the program has been given it. */
  readonly #settlement = new ThreadSettlement<R>();
  readonly #onAbort = () => this.#abort();
  #unlistenAbort: (() => void) | undefined;

  /**
   * @param target - a self-contained function, or a module whose `export` is called: a `URL`
   *   (`new URL('./worker.js', import.meta.url)`), or a string as `import()` in the file that created
   *   the thread takes it: a path relative to that file starting with `./` or `../`, an absolute path,
   *   a URL (`file:...`), else a package specifier (`'pkg/worker'`; `'lib/w.js'` names package `lib`)
   * @param options - see {@link ThreadOptions}. Optional, unless the target function has required
   *   parameters: then `options` with its `args` is required (in the types)
   * @throws TypeError/RangeError for bad arguments (an unknown option key included), naming the parameter
   * @throws `DataCloneError` naming the argument and where inside it (`args[0].worker`) for an object
   *   that belongs to this thread and cannot be sent to another: a Thread, a ThreadPool, a
   *   ThreadLocal, a lock's guard (what structured clone refuses, a function say, throws at `start()`)
   * @throws {@link ThreadStateError} inside a thread that is running the top level of the program's
   *   main file (a thread imported it, and its top level starts threads): every thread would start
   *   more without end. Guard that code with `if (currentThread().isMainThread)`
   */
  constructor(
    target: ((...args: A) => R | Promise<R>) | URL | string,
    ...options: [] extends A ? [options?: ThreadOptions<A>] : [options: ThreadOptions<A>]
  ) {
    refuseInMainTopLevel('Thread');
    const opts = checkThreadOptions(target as Target, options[0]);
    this.#signal = opts.signal;
    const plain = opts.args ?? [];
    const args = encodeArgs(plain);
    this.#name = opts.name ?? nextThreadName();
    this.#launch = {
      name: this.#name,
      target: opts.target,
      args,
      tagged: args !== plain, // encoding returns its input when there is nothing to tag
      inherited: captureInheritable(),
      transfer: opts.transfer,
      resourceLimits: opts.resourceLimits,
      daemon: opts.daemon ?? false,
    };
    // The user's frames only: cut at `spawn` when it is the caller, else at this constructor.
    this.#creatorStack = creatorStack(new.target);
  }

  /**
   * Starts the thread. Call it once.
   *
   * @returns this thread, so that `new Thread(fn).start()` can be assigned
   * @throws {@link ThreadStateError} if the thread was already started, or was terminated before it
   *   was started
   * @throws the runtime's error if the worker cannot be launched (a `DataCloneError` naming the
   *   argument, `args[1]` say, for one that cannot be cloned); the thread then counts as failed with
   *   it (`join()` rejects with it)
   * @example
   * ```ts
   * import { Thread } from 'threadkit/thread';
   * const t = new Thread(() => 'done').start();
   * console.log(t.isAlive); // true
   * ```
   */
  start(): this {
    if (this.#handle) throw new ThreadStateError(`${this.#name} was already started`);
    if (this.#terminated) {
      throw new ThreadStateError(`${this.#name} was terminated before it was started; create a new Thread`);
    }
    const handle = (this.#handle = new ThreadHandle());
    if (this.#signal?.aborted) {
      this.#settle({ ok: false, error: this.#signal.reason });
      return this;
    }
    try {
      handle.launch(this.#launch, {
        onResult: (msg) => this.#settleFrom(msg),
        onExit: (code) => this.#onExit(code),
      });
    } catch (err) {
      // Nothing runs (an uncloneable argument, a bad transfer list): the thread ends failed with the
      // error start() throws, so isAlive is false and join() rejects with it instead of waiting forever.
      const error = cloneFailed(err, this.#launch.args, this.#launch.transfer);
      this.#settle({ ok: false, error });
      throw error;
    }
    // Through the signal's one shared listener: many threads may share a signal (abort-listeners.ts).
    if (this.#signal) this.#unlistenAbort = onAbort(this.#signal, this.#onAbort);
    return this;
  }

  /**
   * Waits for the thread to finish without blocking. While it waits, the process stays alive even
   * for a daemon thread.
   *
   * @param timeoutMs - how long to wait; the thread keeps running if it passes. @default Infinity
   * @returns the target's result
   * @throws the target's error (same built-in or threadkit class, worker stack then caller stack);
   *   {@link ThreadExitError} if the thread died; the signal's reason if aborted;
   *   {@link TimeoutError} if `timeoutMs` passed; {@link ThreadStateError} if not started. A join
   *   pending when the thread fails, or called within a second of the failure, keeps the failure
   *   from being reported as unhandled (see {@link Thread}); one that timed out does not.
   * @example
   * ```ts
   * import { spawn } from 'threadkit/thread';
   * const t = spawn((ms: number) => new Promise((r) => setTimeout(() => r(ms), ms)), 50);
   * console.log(await t.join(1000)); // 50
   * ```
   */
  async join(timeoutMs?: number): Promise<R> {
    const limit = checkTimeout(timeoutMs, 'timeoutMs', 'join(100)');
    if (this.#settlement.outcome) return this.result;
    if (!this.#handle) throw new ThreadStateError(`Cannot join ${this.#name} before it is started`);
    this.#keepAlive(1);
    try {
      await this.#settlement.wait(limit, this.#name);
    } finally {
      this.#keepAlive(-1);
    }
    return this.result;
  }

  /**
   * Blocks the calling thread (with `Atomics.wait`, on a worker or on Node's main thread) until the
   * thread finishes. It cannot notice an out-of-memory kill while blocked: pass `timeoutMs` if that
   * can happen.
   *
   * @param timeoutMs - how long to block. @default Infinity
   * @returns the target's result
   * @throws like {@link Thread.join}; {@link TimeoutError} if `timeoutMs` passed (the result itself
   *   may be `null`, so time is not reported as a `null` return); `BlockingNotAllowedError` where
   *   the runtime forbids blocking
   * @example
   * ```ts
   * import { spawn } from 'threadkit/thread';
   * const t = spawn((a: number, b: number) => a + b, 1, 2);
   * console.log(t.joinSync()); // 3
   * ```
   */
  joinSync(timeoutMs?: number): R {
    const limit = checkTimeout(timeoutMs, 'timeoutMs', 'joinSync(100)');
    if (!this.#settlement.outcome) {
      if (!this.#handle) throw new ThreadStateError(`Cannot join ${this.#name} before it is started`);
      this.#handle.waitSync(limit, this.#name);
      this.#drain();
    }
    return this.result;
  }

  /**
   * The target's result once the thread finished.
   *
   * @throws the thread's error if it failed; {@link ThreadStateError} if it has not finished
   * @example
   * ```ts
   * import { spawn } from 'threadkit/thread';
   * const t = spawn(() => 7);
   * await t.join();
   * console.log(t.result); // 7
   * ```
   */
  get result(): R {
    if (!this.#handle && !this.#settlement.outcome) {
      throw new ThreadStateError(`${this.#name} has not been started: call start(), then \`await join()\``);
    }
    return this.#settlement.result(this.#name);
  }

  /**
   * The thread's error once it failed; `undefined` while running or after success.
   *
   * @example
   * ```ts
   * import { spawn } from 'threadkit/thread';
   * const t = spawn(() => { throw new RangeError('no'); });
   * await t.join().catch(() => {});
   * console.log(t.error instanceof RangeError); // true
   * ```
   */
  get error(): unknown {
    return this.#settlement.error;
  }

  /**
   * Whether the thread was started and has not finished.
   *
   * @example
   * ```ts
   * import { spawn } from 'threadkit/thread';
   * const t = spawn(() => 1);
   * await t.join();
   * console.log(t.isAlive); // false
   * ```
   */
  get isAlive(): boolean {
    return this.#handle !== undefined && this.#settlement.outcome === undefined;
  }

  /**
   * The thread's name: the `name` option or `'Thread-<n>'`, numbered as in Python by one counter for
   * the whole process (threads started inside threads included).
   *
   * @example
   * ```ts
   * import { Thread } from 'threadkit/thread';
   * console.log(new Thread(() => 1, { name: 'saver' }).name); // 'saver'
   * ```
   */
  get name(): string {
    return this.#name;
  }

  /**
   * The runtime's id of the worker thread once started (`-1` before).
   *
   * @example
   * ```ts
   * import { spawn } from 'threadkit/thread';
   * console.log(spawn(() => 1).threadId > 0); // true
   * ```
   */
  get threadId(): number {
    return this.#handle?.threadId ?? -1;
  }

  /**
   * Stops the thread at once. `join()` then rejects with a {@link ThreadExitError} whose `exitCode`
   * is 1 (unless the thread had already finished). A thread terminated before it was started never runs: `start()` then
   * throws a {@link ThreadStateError}, `isAlive` stays `false` and `join()` rejects with a
   * {@link ThreadExitError} (exit code 1, as after any `terminate()`).
   *
   * @returns a promise settled once the worker has stopped (at once if it was never started)
   * @example
   * ```ts
   * import { spawn } from 'threadkit/thread';
   * const t = spawn(() => { for (;;); });
   * await t.terminate();
   * await t.join().catch((err: Error) => console.log(err.name)); // 'ThreadExitError'
   * ```
   */
  async terminate(): Promise<void> {
    if (this.#settlement.outcome) return;
    this.#terminated = true;
    if (!this.#handle) {
      const error = new ThreadExitError(1, `${this.#name} was terminated before it was started`);
      return this.#settle({ ok: false, error });
    }
    await this.#handle.terminate();
    await this.#settlement.done;
  }

  /**
   * Counts a `join()` starting (+1) or ending (-1). A daemon thread's worker is unref'd (it does not
   * keep the process alive by itself) but ref'd while someone awaits it, as Python's join() would
   * block; a non-daemon worker is ref'd while it runs anyway, and a settled one is unref'd for good.
   */
  #keepAlive(delta: 1 | -1): void {
    this.#joins += delta;
    if (!this.#launch.daemon || this.#settlement.outcome) return;
    if (this.#joins === 0) this.#handle?.unref();
    else this.#handle?.ref();
  }

  #abort(): void {
    if (this.#settlement.outcome) return;
    this.#settle({ ok: false, error: this.#signal?.reason });
    void this.#handle?.terminate();
  }

  #settleFrom([ok, value]: ThreadResult): void {
    if (this.#settlement.outcome) return;
    // A result that cannot be revived here fails the thread (it must not throw out of the handler).
    this.#settle(reviveOutcome<R>(ok, value, this.#creatorStack), true);
  }

  /** Takes the result the worker posted, or records its death, once STATE left RUNNING. */
  #drain(): void {
    const handle = this.#handle;
    if (this.#settlement.outcome || !handle) return;
    if (this.#takeResult()) return;
    const state = handle.state;
    if (state === EXITED) return this.#onExit(handle.exitCode);
    if (state === SETTLED)
      throw new InconsistentStateError(`${this.#name} settled but its result is missing`);
  }

  /** Settles from a result message still queued on the port; whether there was one. */
  #takeResult(): boolean {
    const msg = this.#handle?.takeResult();
    if (msg) this.#settleFrom(msg);
    return msg !== undefined;
  }

  #onExit(code: number): void {
    if (this.#settlement.outcome || this.#takeResult()) return this.#reportLateError();
    const handle = this.#handle!;
    // SETTLED is stored only after the result was posted: where it cannot be taken off the port at
    // once (browsers), it is still on its way and settles the thread when it arrives.
    if (!this.#terminated && handle.state === SETTLED) return this.#reportLateError();
    this.#settle({ ok: false, error: handle.exitError(this.#name, code, this.#terminated) }, true);
  }

  /**
   * Reports the error that killed the worker after its target had finished (a throwing timer, a
   * rejection nobody handled): the result was delivered, so no join() can carry it (unhandled.ts).
   * terminate() does not raise one, so a report is never the program's own doing.
   */
  #reportLateError(): void {
    const error = this.#handle?.takeLateError();
    if (error !== undefined) reportLateError(this.#name, 'after its target finished', error);
  }

  /**
   * Records the outcome. `own`: it comes from the thread itself (its target settled, or its worker
   * exited), not from start(), terminate() or the signal; a failure of its own that the program does
   * not look at is then reported (unhandled.ts). terminate() may still come first and end it quietly.
   */
  #settle(outcome: Outcome<R>, own = false): void {
    this.#unlistenAbort?.();
    this.#handle?.close();
    this.#settlement.settle(outcome, own ? { name: this.#name, excused: () => this.#terminated } : undefined);
  }
}

registerThreadBound({
  name: 'Thread',
  type: Thread,
  advice:
    'a Thread belongs to the thread that created it. Join it there and send its result instead, ' +
    'or share an Event or a Queue to signal between the threads',
});
