// The public Thread and spawn(): one target on its own worker thread, and the life of that thread
// (start, join, terminate, abort, exit) as seen by its creator. Its options and their checks are in
// thread-options.ts; starting the worker (bootstrap, Node flags) is in thread-launch.ts.
import { onAbort } from '../internal/abort-listeners.js';
import {
  MessageChannel,
  receiveMessageOnPort,
  type MessagePort,
  type TransferListItem,
  type Worker,
} from '../internal/worker-host.js';
import { encode } from '../internal/codec.js';
import { deadThreadsBuffer, markThreadDead } from '../internal/dead-threads.js';
import { now } from '../internal/runtime.js';
import { checkTimeout, describe } from '../internal/validate.js';
import { waitSync } from '../internal/wait.js';
import { ThreadExitError, ThreadStateError, TimeoutError, InconsistentStateError } from '../errors.js';
import { captureInheritable, type InheritedLocals } from '../threadlocal/inherit.js';
import { callerStack, type StackHolder } from './callsite.js';
import type { ResourceLimits } from './options.js';
import {
  EXIT_CODE,
  EXITED,
  RUNNING,
  SETTLED,
  STATE,
  STATUS_SLOTS,
  type ThreadResult,
  type ThreadWorkerData,
} from './protocol.js';
import type { Target, TargetDef } from './target.js';
import { launchThreadWorker } from './thread-launch.js';
import { nextThreadName } from './names.js';
import { reviveOutcome, type Outcome } from './outcome.js';
import { checkThreadOptions, type ThreadOptions } from './thread-options.js';
import { checkUnhandled } from './unhandled.js';

export type { ThreadOptions } from './thread-options.js';

/**
 * A function (or module export) running on its own worker thread, with a result you can `join()`, as
 * in Python's `threading.Thread`. The target is shipped as source, so it must be self-contained: take
 * what it needs through `args` and `await import()` inside it (resolved as in the file that created the
 * thread). A running non-daemon thread keeps the process alive; a finished one never does. A daemon
 * thread does not by itself, but a pending `join()` on it does, until the join settles (as in Python).
 *
 * A failure is never silent. If the thread fails and its error does not reach the program by the
 * end of the event-loop turn in which it failed (through `join()` or `joinSync()`, pending or called
 * in that turn, or a read of `result` or `error`), it is reported once, as Python's
 * `threading.excepthook` prints it: a process warning named `UnhandledThreadError` whose message is
 * `Exception in thread <name>:` and the error's stack, with the error as its `cause`
 * (`console.error` where there is no `process`). A `join()` after the report still rejects with the
 * error. A thread stopped by `terminate()` or its `signal` is not reported. Joining right away, as
 * below, never reports.
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
  readonly #target: TargetDef;
  readonly #args: unknown;
  readonly #transfer: readonly TransferListItem[];
  readonly #resourceLimits: ResourceLimits | undefined;
  readonly #daemon: boolean;
  readonly #signal: AbortSignal | undefined;
  readonly #inherited: InheritedLocals | undefined;
  readonly #name: string;
  /** Where the thread was created: appended below the worker's stack of a thread error. */
  readonly #creatorStack: StackHolder;
  #worker: Worker | undefined;
  #port: MessagePort | undefined;
  #status: Int32Array | undefined;
  #threadId = -1;
  #terminated = false;
  /** Pending `join()` calls: while there is one, a daemon thread's worker is ref'd (see #keepAlive). */
  #joins = 0;
  #runtimeError: unknown;
  /** Set once, when the thread settles; never changes afterwards. */
  #outcome: Outcome<R> | undefined;
  /** Whether the program has been given the thread's error (see unhandled.ts): then it is not reported. */
  #delivered = false;
  #resolveDone: () => void = () => {};
  readonly #done = new Promise<void>((resolve) => (this.#resolveDone = resolve));
  readonly #onAbort = () => this.#abort();
  #unlistenAbort: (() => void) | undefined;

  /**
   * @param target - a self-contained function, or a module (URL or path, relative to the calling
   *   file) whose `export` is called
   * @param options - see {@link ThreadOptions}
   * @throws TypeError/RangeError for bad arguments, naming the parameter
   */
  constructor(target: ((...args: A) => R | Promise<R>) | URL | string, options?: ThreadOptions<A>) {
    const opts = checkThreadOptions(target as Target, options);
    this.#target = opts.target;
    this.#transfer = opts.transfer;
    this.#resourceLimits = opts.resourceLimits;
    this.#signal = opts.signal;
    this.#args = encode(opts.args ?? []);
    this.#daemon = opts.daemon ?? false;
    this.#name = opts.name ?? nextThreadName();
    this.#inherited = captureInheritable();
    // The user's frames only: cut at `spawn` when it is the caller, else at this constructor.
    this.#creatorStack = callerStack(spawning ?? new.target);
  }

  /**
   * Starts the thread. Call it once.
   *
   * @returns this thread, so that `new Thread(fn).start()` can be assigned
   * @throws {@link ThreadStateError} if the thread was already started, or was terminated before it
   *   was started
   * @throws the runtime's error if the worker cannot be launched (`DataCloneError` for an argument that
   *   cannot be cloned); the thread then counts as failed with it (`join()` rejects with it)
   * @example
   * ```ts
   * import { Thread } from 'threadkit/thread';
   * const t = new Thread(() => 'done').start();
   * console.log(t.isAlive); // true
   * ```
   */
  start(): this {
    if (this.#status) throw new ThreadStateError(`${this.#name} was already started`);
    if (this.#terminated) {
      throw new ThreadStateError(`${this.#name} was terminated before it was started; create a new Thread`);
    }
    this.#status = new Int32Array(new SharedArrayBuffer(STATUS_SLOTS * 4));
    if (this.#signal?.aborted) {
      this.#settle({ ok: false, error: this.#signal.reason });
      return this;
    }
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    const workerData: ThreadWorkerData = {
      mode: 'thread',
      name: this.#name,
      target: this.#target,
      args: this.#args,
      inherited: this.#inherited,
      status: this.#status.buffer as SharedArrayBuffer,
      port: port2,
      deadThreads: deadThreadsBuffer(),
    };
    let worker: ReturnType<typeof launchThreadWorker>;
    try {
      worker = launchThreadWorker(this.#target, workerData, this.#transfer, this.#resourceLimits);
    } catch (err) {
      // Nothing runs (an uncloneable argument, a bad transfer list): the thread ends failed with the
      // error start() throws, so isAlive is false and join() rejects with it instead of waiting forever.
      port2.close();
      this.#settle({ ok: false, error: err });
      throw err;
    }
    this.#worker = worker;
    this.#threadId = worker.threadId;
    if (this.#daemon) worker.unref();
    port1.on('message', (msg: ThreadResult) => this.#settleFrom(msg));
    port1.unref(); // only the worker itself (unless daemon) keeps the process alive
    worker.on('error', (err) => (this.#runtimeError ??= err));
    worker.on('exit', (code) => {
      markThreadDead(this.#threadId); // locks it held can be taken over
      this.#onExit(code);
    });
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
   * @throws the target's error (same built-in class, worker stack then caller stack);
   *   {@link ThreadExitError} if the thread died; the signal's reason if aborted;
   *   {@link TimeoutError} if `timeoutMs` passed; {@link ThreadStateError} if not started. A join
   *   pending when the thread fails, or called in the same event-loop turn, keeps the failure from
   *   being reported as unhandled (see {@link Thread}); one that timed out does not.
   * @example
   * ```ts
   * import { spawn } from 'threadkit/thread';
   * const t = spawn((ms: number) => new Promise((r) => setTimeout(() => r(ms), ms)), 50);
   * console.log(await t.join(1000)); // 50
   * ```
   */
  async join(timeoutMs?: number): Promise<R> {
    const limit = checkTimeout(timeoutMs);
    if (this.#outcome) return this.result;
    if (!this.#status) throw new ThreadStateError(`Cannot join ${this.#name} before it is started`);
    this.#keepAlive(1);
    try {
      if (limit !== Infinity) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, limit, true)));
        const late = await Promise.race([this.#done.then(() => false), timedOut]);
        clearTimeout(timer);
        if (late) throw new TimeoutError(`${this.#name} did not finish within ${limit} ms`);
      }
      await this.#done;
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
    const limit = checkTimeout(timeoutMs);
    const status = this.#status;
    if (!this.#outcome) {
      if (!status) throw new ThreadStateError(`Cannot join ${this.#name} before it is started`);
      const deadline = now() + limit;
      // The worker stores SETTLED/EXITED and then notifies; waiting on RUNNING cannot miss that.
      while (Atomics.load(status, STATE) === RUNNING) {
        const left = deadline - now();
        if (left <= 0) throw new TimeoutError(`${this.#name} did not finish within ${limit} ms`);
        waitSync(status, STATE, RUNNING, left, 'Thread.joinSync()');
      }
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
    const outcome = this.#outcome;
    if (!outcome) throw new ThreadStateError(`${this.#name} has not finished`);
    if (!outcome.ok) {
      this.#delivered = true;
      throw outcome.error;
    }
    return outcome.value;
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
    if (this.#outcome?.ok !== false) return undefined;
    this.#delivered = true;
    return this.#outcome.error;
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
    return this.#status !== undefined && this.#outcome === undefined;
  }

  /**
   * The thread's name: the `name` option or `'Thread-<n>'`.
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
    return this.#threadId;
  }

  /**
   * Stops the thread at once. `join()` then rejects with a {@link ThreadExitError} (unless the thread
   * had already finished). A thread terminated before it was started never runs: `start()` then
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
    if (this.#outcome) return;
    this.#terminated = true;
    if (!this.#status) {
      const error = new ThreadExitError(1, `${this.#name} was terminated before it was started`);
      return this.#settle({ ok: false, error });
    }
    if (!this.#worker) return;
    await this.#worker.terminate();
    await this.#done;
  }

  /**
   * Counts a `join()` starting (+1) or ending (-1). A daemon thread's worker is unref'd (it does not
   * keep the process alive by itself) but ref'd while someone awaits it, as Python's join() would
   * block; a non-daemon worker is ref'd while it runs anyway, and a settled one is unref'd for good.
   */
  #keepAlive(delta: 1 | -1): void {
    this.#joins += delta;
    if (!this.#daemon || this.#outcome) return;
    if (this.#joins === 0) this.#worker?.unref();
    else this.#worker?.ref();
  }

  #abort(): void {
    if (this.#outcome) return;
    this.#settle({ ok: false, error: this.#signal?.reason });
    void this.#worker?.terminate();
  }

  #settleFrom([ok, value]: ThreadResult): void {
    if (this.#outcome) return;
    // A result that cannot be revived here fails the thread (it must not throw out of the handler).
    this.#settle(reviveOutcome<R>(ok, value, this.#creatorStack), true);
  }

  /** Takes the result the worker posted, or records its death, once STATE left RUNNING. */
  #drain(): void {
    if (this.#outcome || !this.#status) return;
    if (this.#takeResult()) return;
    const state = Atomics.load(this.#status, STATE);
    if (state === EXITED) return this.#onExit(Atomics.load(this.#status, EXIT_CODE));
    if (state === SETTLED)
      throw new InconsistentStateError(`${this.#name} settled but its result is missing`);
  }

  /** Settles from a result message still queued on the port; whether there was one. */
  #takeResult(): boolean {
    const msg = this.#port && receiveMessageOnPort(this.#port);
    if (msg) this.#settleFrom(msg.message as ThreadResult);
    return msg !== undefined;
  }

  #onExit(code: number): void {
    if (this.#outcome || this.#takeResult()) return;
    // SETTLED is stored only after the result was posted: where it cannot be taken off the port at
    // once (browsers), it is still on its way and settles the thread when it arrives.
    if (!this.#terminated && this.#status && Atomics.load(this.#status, STATE) === SETTLED) return;
    const why = this.#terminated
      ? 'was terminated'
      : this.#runtimeError !== undefined
        ? `died: ${String((this.#runtimeError as Error)?.message ?? this.#runtimeError)}`
        : `exited with code ${code} before its target settled`;
    const options = this.#runtimeError === undefined ? undefined : { cause: this.#runtimeError };
    this.#settle({ ok: false, error: new ThreadExitError(code, `${this.#name} ${why}`, options) }, true);
  }

  /**
   * Records the outcome. `own`: it comes from the thread itself (its target settled, or its worker
   * exited), not from start(), terminate() or the signal; a failure of its own that the program does
   * not look at is then reported (unhandled.ts). terminate() may still come first and end it quietly.
   */
  #settle(outcome: Outcome<R>, own = false): void {
    this.#outcome = outcome;
    this.#unlistenAbort?.();
    this.#worker?.unref();
    this.#port?.close();
    this.#resolveDone();
    if (own && !outcome.ok) {
      checkUnhandled(this.#name, outcome.error, () => this.#delivered || this.#terminated);
    }
  }
}

/**
 * Creates and starts a {@link Thread} running `fn(...args)`.
 *
 * @param fn - a self-contained function (see {@link Thread})
 * @param args - its arguments, structured-cloned
 * @returns the started thread
 * @example
 * ```ts
 * import { spawn } from 'threadkit/thread';
 * const [a, b] = [spawn((n: number) => n + 1, 1), spawn((n: number) => n + 1, 2)];
 * console.log(await a.join(), await b.join()); // 2 3
 * ```
 */
export function spawn<R, A extends unknown[]>(fn: (...args: A) => R | Promise<R>, ...args: A): Thread<R, A> {
  if (typeof fn !== 'function') throw new TypeError(`Expected \`fn\` to be a function, got ${describe(fn)}`);
  spawning = spawn;
  try {
    return new Thread<R, A>(fn, { args }).start();
  } finally {
    spawning = undefined;
  }
}

// Set while spawn() constructs its Thread, so that the creator's stack is cut at spawn().
let spawning: typeof spawn | undefined;
