// The public ThreadPool: its API and documentation, the checks of each run's options, and the
// making of a task. Where the tasks go from there is in pool-scheduler.ts; the workers' lifecycle is
// in pool-workers.ts, the batching policy in pool-batching.ts, the options in pool-options.ts, and
// what becomes of the tasks of a worker that dies (or cannot start) in pool-worker-failure.ts.
import { onAbort } from '../internal/abort-listeners.js';
import { encodeArgs } from './clone-failure.js';
import { checkOptions, checkSignal, checkTimeout, describe, type OptionKeys } from '../internal/validate.js';
import { PoolClosedError } from '../errors.js';
import { captureInheritable } from '../threadlocal/inherit.js';
import { callerStack, type StackHolder } from './callsite.js';
import { NO_TRANSFER, checkTransfer } from './options.js';
import { MAP_AHEAD_PER_WORKER } from './pool-batching.js';
import { feedMap } from './pool-map.js';
import { refuseInMainTopLevel } from './main-guard.js';
import { nextPoolName } from './names.js';
import { checkPoolOptions, RUN_KEYS, type RunOptions, type ThreadPoolOptions } from './pool-options.js';
import { PoolScheduler } from './pool-scheduler.js';
import type { Task } from './pool-worker.js';
import { NO_CLAIM } from './protocol.js';
import { targetDef, type Target } from './target.js';
import { registerThreadBound } from '../internal/thread-bound.js';

export type { RunOptions, ThreadPoolOptions } from './pool-options.js';

/** Caller frames kept for a task's error: the call site and its callers (each costs µs per run()). */
const CALLER_FRAMES = 6;

/** What a task is built from; the rest of it is bookkeeping. */
type TaskParts =
  'def' | 'args' | 'argsName' | 'transfer' | 'inherited' | 'signal' | 'timeoutMs' | 'resolve' | 'reject';

/** Placeholder until a task's caller stack is captured (right after it is dispatched or queued). */
const NO_STACK: StackHolder = {};

/** The stack of the code that called `run()`, cut above it. */
function runCallerStack(): StackHolder {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- only marks where the stack is cut
  return callerStack(ThreadPool.prototype.run, CALLER_FRAMES);
}

/** The options of {@link ThreadPool.map} (written inline in its signature, as the API reference shows them). */
type MapOptions = NonNullable<Parameters<ThreadPool['map']>[2]>;

/** Every key of {@link MapOptions}: checkOptions refuses any other. */
const MAP_KEYS: OptionKeys<MapOptions> = { signal: true };

/**
 * A fixed-size pool of reusable worker threads that runs functions (shipped as source, compiled once
 * per worker) or module exports, like Python's `ThreadPoolExecutor`. Queued tiny tasks are sent to
 * workers several per message and their results come back batched; a worker that runs out of work
 * takes over the tasks another has not started, so none waits behind a long task while a worker is
 * free. A task that crashes its worker fails alone; the worker is replaced. A worker that does not
 * start up within `startupTimeoutMs` is terminated, and the tasks sent to it fail: none waits for ever.
 * Idle workers never keep the process alive.
 *
 * Cooperative cancellation: inside a task, `currentTask()?.signal` aborts when the task's `signal`
 * aborts or its `timeoutMs` passes; a task still running shortly (100 ms) after is
 * stopped by terminating its worker.
 *
 * @example
 * ```ts
 * import { ThreadPool } from 'threadkit/thread';
 * await using pool = new ThreadPool({ size: 2 });
 * const squares = await pool.map((n: number) => n * n, [1, 2, 3]);
 * console.log(squares); // [1, 4, 9]
 * console.log(await pool.run((a: number, b: number) => a + b, { args: [2, 3] })); // 5
 * ```
 */
export class ThreadPool implements AsyncDisposable {
  readonly #size: number;
  readonly #name: string;
  /** Queues, dispatches and settles the tasks; owns the workers. */
  readonly #scheduler: PoolScheduler;
  #nextTaskId = 1;
  #closed = false;
  #destroyed = false;

  /**
   * @param options - see {@link ThreadPoolOptions}
   * @throws TypeError/RangeError for bad options (an unknown key included), naming the option
   * @throws {@link ThreadStateError} inside a thread that is running the top level of the program's
   *   main file (a thread imported it, and its top level starts threads): every thread would start
   *   more without end. Guard that code with `if (currentThread().isMainThread)`
   */
  constructor(options?: ThreadPoolOptions) {
    refuseInMainTopLevel('ThreadPool');
    this.#name = nextPoolName();
    const config = checkPoolOptions(options);
    this.#size = config.size;
    this.#scheduler = new PoolScheduler(this.#name, config, runCallerStack);
  }

  /**
   * The number of worker threads the pool runs at most.
   *
   * @example
   * ```ts
   * import { ThreadPool } from 'threadkit/thread';
   * console.log(new ThreadPool({ size: 3 }).size); // 3
   * ```
   */
  get size(): number {
    return this.#size;
  }

  /**
   * Runs `target(...args)` on a pool worker.
   *
   * @param target - a self-contained function, or a module whose `export` is called: a `URL`
   *   (`new URL('./worker.js', import.meta.url)`), or a string as `import()` in the file that calls
   *   `run()` takes it: a path relative to that file starting with `./` or `../`, an absolute path,
   *   a URL (`file:...`), else a package specifier (`'pkg/worker'`; `'lib/w.js'` names package `lib`)
   * @param options - see {@link RunOptions}. Optional, unless the target function has required
   *   parameters: then `options` with its `args` is required (in the types)
   * @returns the target's result
   * @throws (rejects) the task's error (same built-in or threadkit class, worker stack then caller stack);
   *   {@link ThreadExitError} if its worker died, or exited before it started up; {@link TimeoutError}
   *   when `timeoutMs` passed, or when its worker did not start up within the pool's `startupTimeoutMs`
   *   (see {@link ThreadPoolOptions.startupTimeoutMs}); the signal's reason;
   *   {@link QueueFullError}; {@link PoolClosedError}; the runtime's error (`ERR_WORKER_INIT_FAILED`)
   *   if the pool has no worker and cannot start one, as `Thread.start()` throws it; a
   *   `DataCloneError` naming the argument (`args[0].pool`) for one that cannot be sent, as
   *   `new Thread()` throws it, or naming the part of the result (`result.guard`) that cannot be sent
   * @example
   * ```ts
   * import { ThreadPool } from 'threadkit/thread';
   * await using pool = new ThreadPool();
   * console.log(await pool.run((s: string) => s.toUpperCase(), { args: ['hi'], timeoutMs: 1000 })); // 'HI'
   * ```
   */
  run<R, A extends unknown[]>(
    target: ((...args: A) => R | Promise<R>) | URL | string,
    ...options: [] extends A ? [options?: RunOptions<A>] : [options: RunOptions<A>]
  ): Promise<R> {
    try {
      return this.#submit(target as Target, options[0]) as Promise<R>;
    } catch (err) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on what was thrown
      return Promise.reject(err);
    }
  }

  /**
   * Runs `fn(item)` for every item on the pool and collects the results in order.
   *
   * Any number of items: they are taken from `items` lazily and submitted as the pool has room (a
   * window of a few hundred per worker at most), so `maxQueue` never makes map fail: where `run()`
   * would reject with {@link QueueFullError}, map waits. Items of a map started before `close()`
   * still run.
   *
   * On the first failure map rejects at once with it: no further item is taken and the map's
   * tasks still queued are removed; those already handed to a worker still run, their outcomes
   * dropped (never an unhandled rejection).
   *
   * @param fn - a self-contained function of one parameter, the item (no index, unlike Array.prototype.map;
   *   a function declaring more parameters is refused)
   * @param items - the inputs (any iterable, also a lazy or endless-until-failure one)
   * @param options - `signal`: aborting rejects with its reason, removes the queued tasks and stops
   *   the running ones (see {@link RunOptions.signal})
   * @returns the results, in the order of `items`; rejects with the first failure (a task's error,
   *   the iterable's, the signal's reason, {@link PoolClosedError} after `destroy()`, a
   *   `DataCloneError` naming the item, `items[3]` say, that cannot be sent to a thread)
   * @example
   * ```ts
   * import { ThreadPool } from 'threadkit/thread';
   * await using pool = new ThreadPool();
   * console.log(await pool.map((s: string) => s.length, ['a', 'bb'])); // [1, 2]
   * ```
   */
  map<T, R>(
    fn: (item: T) => R | Promise<R>,
    items: Iterable<T>,
    options?: { signal?: AbortSignal | undefined },
  ): Promise<R[]> {
    try {
      if (typeof fn !== 'function') {
        const hint =
          fn !== null && typeof fn === 'object' && typeof items === 'function'
            ? '; the function goes first: map(fn, items)'
            : '';
        throw new TypeError(`Expected \`fn\` to be a function, got ${describe(fn)}${hint}`);
      }
      // Array.prototype.map's (item, index) habit: in plain JavaScript `index` would silently be undefined.
      if (fn.length > 1) {
        throw new TypeError(
          `Expected \`fn\` to take one parameter, the item, got a function of ${fn.length}: map() passes ` +
            'only the item (no index or array, unlike Array.prototype.map); to use the index, map over ' +
            'pairs: pool.map(([item, i]) => ..., Array.from(items, (item, i) => [item, i]))',
        );
      }
      if (items === null || typeof (items as Partial<Iterable<T>>)?.[Symbol.iterator] !== 'function') {
        // A stream, a readline interface or an async generator: `for await` habits, not an iterable.
        const async =
          typeof (items as Partial<AsyncIterable<T>> | undefined)?.[Symbol.asyncIterator] === 'function'
            ? ' (an async iterable: map() takes a sync one; collect the items first, ' +
              '`await Array.fromAsync(items)` on Node 22+, or call run() for each item as it arrives)'
            : '';
        throw new TypeError(`Expected \`items\` to be iterable, got ${describe(items)}${async}`);
      }
      const signal = checkSignal(checkOptions<MapOptions>(options, MAP_KEYS, 'ThreadPool.map()').signal);
      // All that depends on the caller is taken now, not when a later item is submitted.
      const def = targetDef(fn, undefined, 'fn');
      if (this.#closed) throw new PoolClosedError(`${this.#name} is closed`);
      if (signal?.aborted) return Promise.reject(signal.reason as Error);
      // eslint-disable-next-line @typescript-eslint/unbound-method -- only marks where the stack is cut
      const stack = callerStack(ThreadPool.prototype.map, CALLER_FRAMES);
      const inherited = captureInheritable();
      return feedMap({
        scheduler: this.#scheduler,
        items: items[Symbol.iterator](),
        signal,
        window: this.#size * MAP_AHEAD_PER_WORKER,
        task: (item, index, resolve, reject) => {
          const argsName = `items[${index}]`;
          return this.#newTask({
            def,
            args: encodeArgs([item], argsName),
            argsName,
            transfer: NO_TRANSFER,
            inherited,
            signal,
            timeoutMs: Infinity,
            resolve,
            reject,
          });
        },
        submit: (task) => {
          if (this.#destroyed)
            throw new PoolClosedError(`${this.#name} was destroyed before the map finished`);
          this.#start(task, stack);
        },
      }) as Promise<R[]>;
    } catch (err) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on what was thrown
      return Promise.reject(err);
    }
  }

  /**
   * Stops accepting tasks, lets queued and running ones finish, then stops the workers. Resolves once
   * every worker has exited, for every call (also after {@link destroy}).
   *
   * @example
   * ```ts
   * import { ThreadPool } from 'threadkit/thread';
   * const pool = new ThreadPool();
   * const done = pool.run(() => 'finished');
   * await pool.close();
   * console.log(await done); // 'finished'
   * ```
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#scheduler.busy) await this.#scheduler.drained();
    await this.#scheduler.stop();
  }

  /**
   * Stops every worker now; queued and running tasks reject with {@link PoolClosedError}, before
   * `destroy()` resolves: handle their rejections first, or they are unhandled while it waits. Resolves
   * once every worker has exited, for every call: a worker inside a native call that cannot be
   * interrupted (a `spawnSync`, say) exits when the call returns.
   *
   * @example
   * ```ts
   * import { ThreadPool } from 'threadkit/thread';
   * const pool = new ThreadPool();
   * const task = pool.run(() => { for (;;); });
   * const failed = task.catch((err: Error) => err.name); // handled before destroy() rejects it
   * await pool.destroy();
   * console.log(await failed); // 'PoolClosedError'
   * ```
   */
  async destroy(): Promise<void> {
    this.#closed = true;
    this.#destroyed = true;
    const error = new PoolClosedError(`${this.#name} was destroyed before the task finished`);
    this.#scheduler.failAll(error);
    await this.#scheduler.stop();
  }

  /**
   * `await using pool = new ThreadPool()` closes the pool (finishing queued work) at scope exit.
   *
   * @example
   * ```ts
   * import { ThreadPool } from 'threadkit/thread';
   * {
   *   await using pool = new ThreadPool();
   *   await pool.run(() => 1);
   * } // pool.close() awaited here
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #submit(target: Target, options: RunOptions | undefined): Promise<unknown> {
    const opts = checkOptions<RunOptions>(options, RUN_KEYS, 'ThreadPool.run()');
    const def = targetDef(target, opts.export);
    if (opts.args !== undefined && !Array.isArray(opts.args)) {
      throw new TypeError(`Expected \`args\` to be an array, got ${describe(opts.args)}`);
    }
    const transfer = checkTransfer(opts.transfer);
    const signal = checkSignal(opts.signal);
    const timeoutMs = checkTimeout(opts.timeoutMs);
    if (this.#closed) throw new PoolClosedError(`${this.#name} is closed`);
    this.#scheduler.checkRoom();
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    const args = encodeArgs(opts.args ?? []);
    const inherited = captureInheritable();
    let resolve!: (value: unknown) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<unknown>((res, rej) => ((resolve = res), (reject = rej)));
    this.#start(
      this.#newTask({
        def,
        args,
        argsName: undefined,
        transfer,
        inherited,
        signal,
        timeoutMs,
        resolve,
        reject,
      }),
      undefined,
    );
    return promise;
  }

  /** A task of checked parts, not yet submitted. */
  #newTask(parts: Pick<Task, TaskParts>): Task {
    // Field by field: building tasks by spreading `parts` made run() several times slower (measured).
    return {
      id: this.#nextTaskId++,
      def: parts.def,
      args: parts.args,
      argsName: parts.argsName,
      transfer: parts.transfer,
      inherited: parts.inherited,
      timeoutMs: parts.timeoutMs,
      signal: parts.signal,
      solo: parts.signal !== undefined || parts.timeoutMs !== Infinity,
      callerStack: NO_STACK,
      resolve: parts.resolve,
      reject: parts.reject,
      settled: false,
      holder: undefined,
      claim: NO_CLAIM,
      timer: undefined,
      offAbort: undefined,
    };
  }

  /** Submits a task; an abort of its signal cancels it. `stack`: its caller's, if already captured. */
  #start(task: Task, stack: StackHolder | undefined): void {
    const signal = task.signal;
    // One listener per signal however many tasks share it; each task's callback goes when it settles.
    if (signal) task.offAbort = onAbort(signal, () => this.#scheduler.cancel(task, signal.reason));
    this.#scheduler.submit(task, stack);
  }
}

registerThreadBound({
  name: 'ThreadPool',
  type: ThreadPool,
  advice:
    'a ThreadPool belongs to the thread that created it. Run the tasks there and send their ' +
    'results instead, or create a ThreadPool in the other thread',
});
