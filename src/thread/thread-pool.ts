import { unrefTimer } from '../internal/runtime.js';
import { cpuCount, type TransferListItem } from '../internal/worker-host.js';
import { encode, decode } from '../internal/codec.js';
import { markThreadDead } from '../internal/dead-threads.js';
import { checkOptions, checkSignal, checkTimeout, describe } from '../internal/validate.js';
import { PoolClosedError, QueueFullError, ThreadExitError, TimeoutError } from '../errors.js';
import { captureInheritable } from '../threadlocal/inherit.js';
import { callerStack, type StackHolder } from './callsite.js';
import { reviveError, serializeError } from './error-codec.js';
import { checkCount, checkResourceLimits, checkTransfer, type ResourceLimits } from './options.js';
import { PoolWorker, type Task } from './pool-worker.js';
import { RESULT_STRIDE } from './protocol.js';
import { TaskQueue } from './task-queue.js';
import { targetDef, type Target, type TargetDef } from './target.js';

/** Most tasks sent to one worker in one message: amortizes messaging without starving other workers. */
const MAX_BATCH = 64;
/** Most tasks a worker holds: the batch it runs and the next one, so it never idles between them. */
const PIPELINE_DEPTH = 2 * MAX_BATCH;
/** A worker gets a batch before finishing its current one only if it reported results this recently. */
const PIPELINE_WINDOW_MS = 2;
/** Caller frames kept for a task's error: the call site and its callers (each costs µs per run()). */
const CALLER_FRAMES = 6;
/** How long a cancelled running task may take to stop by itself before its worker is terminated. */
const CANCEL_GRACE_MS = 100;

/**
 * Options of {@link ThreadPool}.
 *
 * @example
 * ```ts
 * import { ThreadPool } from 'threadkit/thread';
 * await using pool = new ThreadPool({ size: 4, idleTimeoutMs: 5000, maxQueue: 1000 });
 * console.log(pool.size); // 4
 * ```
 */
export interface ThreadPoolOptions {
  /** Number of worker threads. @default availableParallelism() */
  readonly size?: number;
  /** An idle worker exits after this long (idle workers never keep the process alive). @default 30000 */
  readonly idleTimeoutMs?: number;
  /** Most tasks waiting for a worker; past it `run()` rejects with {@link QueueFullError}. @default Infinity */
  readonly maxQueue?: number;
  /** Resource limits of every worker (see Node's `Worker`); a task exceeding them fails alone. */
  readonly resourceLimits?: ResourceLimits;
}

/**
 * Options of {@link ThreadPool.run}.
 *
 * @example
 * ```ts
 * import { ThreadPool } from 'threadkit/thread';
 * await using pool = new ThreadPool();
 * const controller = new AbortController();
 * const sum = await pool.run((a: number, b: number) => a + b, {
 *   args: [2, 3],
 *   signal: controller.signal,
 *   timeoutMs: 5000,
 * });
 * console.log(sum); // 5
 * ```
 */
export interface RunOptions<A extends unknown[] = unknown[]> {
  /** Arguments for the target: structured-cloned; Mutex and SharedArrayBuffer arrive live. @default [] */
  readonly args?: A;
  /** For a module target: the export to call. @default 'default' */
  readonly export?: string;
  /** Objects in `args` to transfer (move) instead of copy. */
  readonly transfer?: readonly TransferListItem[];
  /** Aborting removes a queued task, or stops a running one (see {@link currentTask}); rejects with its reason. */
  readonly signal?: AbortSignal;
  /** Time limit counted from when the task starts running; rejects with {@link TimeoutError}. */
  readonly timeoutMs?: number;
}

let poolCount = 0;
/** Placeholder until a task's caller stack is captured (right after it is dispatched or queued). */
const NO_STACK: StackHolder = {};

/**
 * A fixed-size pool of reusable worker threads that runs functions (shipped as source, compiled once
 * per worker) or module exports, like Python's `ThreadPoolExecutor`. Queued tiny tasks are sent to
 * workers several per message and their results come back batched. A task that crashes its worker
 * fails alone; the worker is replaced. Idle workers never keep the process alive.
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
  readonly #idleTimeoutMs: number;
  readonly #maxQueue: number;
  readonly #resourceLimits: ResourceLimits | undefined;
  readonly #name = `ThreadPool-${++poolCount}`;
  #workerCount = 0;
  /** Workers in use (not retired). */
  readonly #workers = new Set<PoolWorker>();
  /** Workers with nothing in flight, most recently used last. */
  readonly #idle: PoolWorker[] = [];
  /** Tasks not yet dispatched. */
  readonly #queue = new TaskQueue();
  #nextTaskId = 1;
  #dispatchScheduled = false;
  #closed = false;
  #drained: (() => void) | undefined;
  #inflightCount = 0;
  /**
   * Caller stack shared by the tasks of one target submitted in the same synchronous run (until the
   * dispatch microtask): capturing a stack per task costs more than the rest of `run()` together.
   */
  #lastStack: { def: TargetDef; stack: StackHolder } | undefined;

  /**
   * @param options - see {@link ThreadPoolOptions}
   * @throws TypeError/RangeError for bad options, naming the option
   */
  constructor(options?: ThreadPoolOptions) {
    const opts = checkOptions<ThreadPoolOptions>(options);
    this.#size = checkCount(opts.size, 'size', 1) ?? cpuCount();
    if (this.#size === Infinity)
      throw new RangeError('Expected `size` to be a finite integer >= 1, got Infinity');
    this.#idleTimeoutMs = checkTimeout(opts.idleTimeoutMs, 'idleTimeoutMs');
    if (opts.idleTimeoutMs === undefined) this.#idleTimeoutMs = 30_000;
    this.#maxQueue = checkCount(opts.maxQueue, 'maxQueue', 0) ?? Infinity;
    this.#resourceLimits = checkResourceLimits(opts.resourceLimits);
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
   * @param target - a self-contained function, or a module (URL or path, relative to the calling file)
   * @param options - see {@link RunOptions}
   * @returns the target's result
   * @throws (rejects) the task's error (same built-in class, worker stack then caller stack);
   *   {@link ThreadExitError} if its worker died; {@link TimeoutError}; the signal's reason;
   *   {@link QueueFullError}; {@link PoolClosedError}
   * @example
   * ```ts
   * import { ThreadPool } from 'threadkit/thread';
   * await using pool = new ThreadPool();
   * console.log(await pool.run((s: string) => s.toUpperCase(), { args: ['hi'], timeoutMs: 1000 })); // 'HI'
   * ```
   */
  run<R, A extends unknown[]>(
    target: ((...args: A) => R | Promise<R>) | URL | string,
    options?: RunOptions<A>,
  ): Promise<R> {
    try {
      return this.#submit(target as Target, options) as Promise<R>;
    } catch (err) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on what was thrown
      return Promise.reject(err);
    }
  }

  /**
   * Runs `fn(item)` for every item on the pool and collects the results in order.
   *
   * @param fn - a self-contained function of one item
   * @param items - the inputs
   * @param options - `signal` cancels every task not yet finished
   * @returns the results, in the order of `items`; rejects with the first failure
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
    options?: { signal?: AbortSignal },
  ): Promise<R[]> {
    try {
      if (typeof fn !== 'function')
        throw new TypeError(`Expected \`fn\` to be a function, got ${describe(fn)}`);
      if (items === null || typeof (items as Partial<Iterable<T>>)?.[Symbol.iterator] !== 'function') {
        throw new TypeError(`Expected \`items\` to be iterable, got ${describe(items)}`);
      }
      const signal = checkSignal(checkOptions<{ signal?: AbortSignal }>(options).signal);
      // eslint-disable-next-line @typescript-eslint/unbound-method -- only marks where the stack is cut
      const stack = callerStack(ThreadPool.prototype.map, CALLER_FRAMES);
      const runs = Array.from(
        items,
        (item) => this.#submit(fn, { args: [item], signal }, stack) as Promise<R>,
      );
      return Promise.all(runs);
    } catch (err) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on what was thrown
      return Promise.reject(err);
    }
  }

  /**
   * Stops accepting tasks, lets queued and running ones finish, then stops the workers.
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
    if (this.#queue.size > 0 || this.#inflightCount > 0) {
      await new Promise<void>((resolve) => (this.#drained = resolve));
    }
    await this.#stopAll();
  }

  /**
   * Stops every worker now; queued and running tasks reject with {@link PoolClosedError}.
   *
   * @example
   * ```ts
   * import { ThreadPool } from 'threadkit/thread';
   * const pool = new ThreadPool();
   * const task = pool.run(() => { for (;;); });
   * await pool.destroy();
   * await task.catch((err: Error) => console.log(err.name)); // 'PoolClosedError'
   * ```
   */
  async destroy(): Promise<void> {
    this.#closed = true;
    const error = new PoolClosedError(`${this.#name} was destroyed before the task finished`);
    for (const task of this.#queue.clear()) this.#fail(task, error);
    for (const w of this.#workers) for (const task of w.inflight.values()) this.#fail(task, error);
    await this.#stopAll();
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

  #submit(target: Target, options: RunOptions | undefined, stack?: StackHolder): Promise<unknown> {
    const opts = checkOptions<RunOptions>(options);
    const def = targetDef(target, opts.export);
    if (opts.args !== undefined && !Array.isArray(opts.args)) {
      throw new TypeError(`Expected \`args\` to be an array, got ${describe(opts.args)}`);
    }
    const transfer = checkTransfer(opts.transfer);
    const signal = checkSignal(opts.signal);
    const timeoutMs = checkTimeout(opts.timeoutMs);
    if (this.#closed) throw new PoolClosedError(`${this.#name} is closed`);
    const free = this.#idle.length + this.#size - this.#workers.size;
    if (this.#queue.size >= this.#maxQueue + free) {
      throw new QueueFullError(
        `${this.#name} already has ${this.#queue.size} tasks queued (maxQueue: ${this.#maxQueue})`,
      );
    }
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    let resolve!: (value: unknown) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<unknown>((res, rej) => ((resolve = res), (reject = rej)));
    const task: Task = {
      id: this.#nextTaskId++,
      def,
      args: encode(opts.args ?? []),
      transfer,
      inherited: captureInheritable(),
      timeoutMs,
      signal,
      solo: signal !== undefined || timeoutMs !== Infinity,
      callerStack: NO_STACK,
      resolve,
      reject,
      settled: false,
      holder: undefined,
      timer: undefined,
      onAbort: undefined,
    };
    if (signal) {
      task.onAbort = () => this.#cancel(task, signal.reason);
      signal.addEventListener('abort', task.onAbort, { once: true });
    }
    this.#queue.push(task);
    if (this.#dispatchScheduled) {
      // part of a burst: dispatched together, in batches, by the microtask below
    } else if (this.#queue.size === 1 && this.#idle.length > 0) {
      this.#dispatch(); // a lone task: post it now, and capture the stack while the worker runs it
    } else {
      this.#dispatchScheduled = true;
      this.#lastStack = undefined;
      queueMicrotask(() => this.#dispatch());
    }
    // Results arrive by message, so never before this synchronous code ends.
    task.callerStack = stack ?? this.#callerStack(def);
    return promise;
  }

  /** A fresh caller stack, or the one of the previous task of `def` in the same burst. */
  #callerStack(def: TargetDef): StackHolder {
    const last = this.#lastStack;
    if (last !== undefined && last.def === def && this.#dispatchScheduled) return last.stack;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- only marks where the stack is cut
    const stack = callerStack(ThreadPool.prototype.run, CALLER_FRAMES);
    this.#lastStack = { def, stack };
    return stack;
  }

  /**
   * Hands queued tasks to workers: a solo task alone to an idle worker, others in fair-sized batches.
   * A worker that is busy with tiny tasks (it reported results within {@link PIPELINE_WINDOW_MS}) also
   * gets the next batch before it finishes the current one, so it never waits for the round trip;
   * a worker that is not reporting (a long task) gets nothing more, so no task queues behind it.
   */
  #dispatch(): void {
    this.#dispatchScheduled = false;
    this.#lastStack = undefined;
    while (this.#queue.size > 0) {
      const solo = this.#queue.peek()!.solo;
      const worker =
        this.#idle.pop() ??
        (this.#workers.size < this.#size ? this.#spawn() : solo ? undefined : this.#pipelineTarget());
      if (worker === undefined) return;
      const room = PIPELINE_DEPTH - worker.inflight.size;
      const share = Math.min(MAX_BATCH, room, Math.ceil(this.#queue.size / this.#size));
      const batch: Task[] = [];
      while (batch.length < share && this.#queue.size > 0) {
        if (batch.length > 0 && this.#queue.peek()!.solo) break;
        const task = this.#queue.shift()!;
        batch.push(task);
        if (task.solo) {
          if (task.timeoutMs !== Infinity) this.#startTimer(task, worker);
          break;
        }
      }
      this.#inflightCount += batch.length;
      this.#send(worker, batch);
    }
  }

  /** Posts a batch; a task whose args or transfer list cannot be posted fails alone, as if it threw. */
  #send(worker: PoolWorker, batch: Task[]): void {
    try {
      worker.send(batch);
      return;
    } catch {
      // Find the culprits: send the tasks one by one.
    }
    const failed: unknown[] = [];
    for (const task of batch) {
      try {
        worker.send([task]);
      } catch (err) {
        failed.push(task.id, 0, serializeError(err));
      }
    }
    if (failed.length > 0) queueMicrotask(() => this.#onResults(worker, failed));
  }

  /** The least loaded worker still streaming results with room for another batch, if any. */
  #pipelineTarget(): PoolWorker | undefined {
    const now = performance.now();
    let best: PoolWorker | undefined;
    for (const w of this.#workers) {
      if (w.inflight.size + MAX_BATCH > PIPELINE_DEPTH || now - w.lastResultAt > PIPELINE_WINDOW_MS) continue;
      if (best === undefined || w.inflight.size < best.inflight.size) best = w;
    }
    return best;
  }

  #spawn(): PoolWorker {
    const w = new PoolWorker(`${this.#name}-${++this.#workerCount}`, this.#resourceLimits);
    this.#workers.add(w);
    w.worker.on('message', (results: unknown[]) => this.#onResults(w, results));
    w.worker.on('error', (err) => ((w as { lastError?: unknown }).lastError ??= err));
    w.worker.on('exit', (code) => {
      markThreadDead(w.threadId); // locks it held can be taken over
      this.#onExit(w, code);
    });
    return w;
  }

  #startTimer(task: Task, worker: PoolWorker): void {
    const arm = () => {
      if (task.settled) return;
      task.timer = setTimeout(() => {
        this.#cancel(task, new TimeoutError(`Task did not finish within ${task.timeoutMs} ms of starting`));
      }, task.timeoutMs);
    };
    if (worker.online) arm();
    else worker.worker.once('online', arm);
  }

  #onResults(w: PoolWorker, results: unknown[]): void {
    w.lastResultAt = performance.now();
    for (let i = 0; i < results.length; i += RESULT_STRIDE) {
      const task = w.inflight.get(results[i] as number);
      if (!task) continue;
      w.inflight.delete(task.id);
      this.#inflightCount--;
      if (task.settled) continue;
      this.#finish(task);
      if (results[i + 1] === 1) task.resolve(decode(results[i + 2]));
      else task.reject(reviveError(results[i + 2], task.callerStack));
    }
    if (w.retired) return;
    if (w.inflight.size === 0) this.#becomeIdle(w);
    else if (this.#queue.size > 0) this.#dispatch();
  }

  #becomeIdle(w: PoolWorker): void {
    if (this.#queue.size > 0) {
      this.#idle.push(w);
      this.#dispatch();
      if (!w.inflight.size) this.#armIdle(w);
      return;
    }
    this.#idle.push(w);
    this.#armIdle(w);
    this.#checkDrained();
  }

  #armIdle(w: PoolWorker): void {
    if (w.inflight.size > 0) return;
    w.worker.unref(); // an idle pool never keeps the process alive
    w.idleSince = performance.now();
    // One timer per idle stretch, not per task: when it fires it checks how long the worker has idled.
    if (this.#idleTimeoutMs !== Infinity && w.idleTimer === undefined)
      this.#startIdleTimer(w, this.#idleTimeoutMs);
  }

  #startIdleTimer(w: PoolWorker, ms: number): void {
    w.idleTimer = setTimeout(() => {
      w.idleTimer = undefined;
      if (w.inflight.size > 0 || w.retired) return; // busy: #armIdle starts a timer when it idles again
      const left = w.idleSince + this.#idleTimeoutMs - performance.now();
      if (left > 0) this.#startIdleTimer(w, left);
      else this.#retire(w);
    }, ms);
    unrefTimer(w.idleTimer);
  }

  #checkDrained(): void {
    if (this.#drained && this.#queue.size === 0 && this.#inflightCount === 0) {
      const done = this.#drained;
      this.#drained = undefined;
      done();
    }
  }

  /** Rejects `task` with `reason`; a running one is asked to stop, then its worker terminated. */
  #cancel(task: Task, reason: unknown): void {
    if (task.settled) return;
    const holder = task.holder;
    if (!holder) this.#queue.remove(task);
    this.#fail(task, reason);
    if (!holder || !holder.inflight.has(task.id)) return this.#checkDrained();
    holder.cancel(task, serializeError(reason));
    unrefTimer(
      setTimeout(() => {
        if (holder.inflight.has(task.id) && !holder.retired) this.#retire(holder);
      }, CANCEL_GRACE_MS),
    );
  }

  #fail(task: Task, error: unknown): void {
    if (task.settled) return;
    this.#finish(task);
    task.reject(error);
  }

  #finish(task: Task): void {
    task.settled = true;
    if (task.timer !== undefined) clearTimeout(task.timer);
    if (task.onAbort) task.signal?.removeEventListener('abort', task.onAbort);
  }

  /** Stops using a worker and terminates it; tasks it held are handled by #onExit. */
  #retire(w: PoolWorker): void {
    if (w.retired) return;
    w.retired = true;
    this.#workers.delete(w);
    const i = this.#idle.indexOf(w);
    if (i !== -1) this.#idle.splice(i, 1);
    if (w.idleTimer !== undefined) clearTimeout(w.idleTimer);
    void w.worker.terminate();
  }

  /**
   * A worker stopped. Tasks it held: the one it was running fails with ThreadExitError; those it
   * finished but had not reported fail too (their results are lost); those not started are queued
   * again at the front. A replacement is started if work is waiting.
   */
  #onExit(w: PoolWorker, code: number): void {
    const wasRetired = w.retired;
    this.#retire(w);
    const running = w.running();
    const cause = (w as { lastError?: unknown }).lastError;
    const requeue: Task[] = [];
    let seenRunning = running === 0;
    for (const task of w.inflight.values()) {
      this.#inflightCount--;
      if (task.id === running) seenRunning = true;
      else if (seenRunning && !task.settled) {
        task.holder = undefined;
        requeue.push(task);
        continue;
      }
      if (task.settled) continue;
      const why = task.id === running ? 'while running this task' : 'before reporting this finished task';
      const message = `Pool worker ${wasRetired ? 'was stopped' : `exited with code ${code}`} ${why}`;
      this.#fail(task, new ThreadExitError(code, message, cause === undefined ? undefined : { cause }));
    }
    w.inflight.clear();
    this.#queue.unshift(requeue);
    if (this.#queue.size > 0) this.#dispatch();
    this.#checkDrained();
  }

  async #stopAll(): Promise<void> {
    const workers = [...this.#workers];
    // Listen before terminating: Deno's worker_threads emits 'exit' synchronously inside terminate().
    const exited = workers.map((w) => new Promise((resolve) => w.worker.once('exit', resolve)));
    for (const w of workers) this.#retire(w);
    await Promise.all(exited);
  }
}
