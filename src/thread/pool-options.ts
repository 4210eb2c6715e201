// The options of ThreadPool and of its run(), and the check of the pool's options at construction
// (a run's options are checked per call, in ThreadPool.run, where the task is built).
import { cpuCount } from '../internal/worker-host.js';
import { checkOptions, checkTimeout, type OptionKeys } from '../internal/validate.js';
import { checkCount, checkResourceLimits, type ArgsRequiredBy, type ResourceLimits } from './options.js';

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
  readonly size?: number | undefined;
  /** An idle worker exits after this long (idle workers never keep the process alive). @default 30000 */
  readonly idleTimeoutMs?: number | undefined;
  /**
   * Most tasks accepted and waiting to start: queued, or sent ahead to a busy worker (workers are sent
   * tiny tasks several at a time). Past it `run()` rejects with {@link QueueFullError}, and `map()`
   * waits for room. A task that a free worker takes at once does not wait. So at most
   * `size + maxQueue` tasks are accepted and unfinished. A cancelled task (its `signal` aborted, its
   * `timeoutMs` passed) counts no more, even while it is still stopping (see {@link ThreadPool}): its
   * worker counts as free. @default Infinity
   */
  readonly maxQueue?: number | undefined;
  /**
   * Resource limits of every worker (see Node's `Worker`); a task exceeding them fails alone. With
   * them, each result is sent back as soon as its task ends instead of in batches, so that a worker
   * killed for running out of memory takes no finished task's result with it (tiny tasks run slower).
   */
  readonly resourceLimits?: ResourceLimits | undefined;
  /**
   * How long a new worker may take to start up: to load its code and be ready to run tasks. That
   * takes 20-100 ms, up to about a second on a busy machine, plus the time of any module preloaded
   * into every worker (`node --import`, `--require`, `NODE_OPTIONS`: an APM agent, a TypeScript
   * loader). A worker not up by then is stuck in such code (a preload that never returns): the pool
   * terminates it, and the tasks it was sent reject with a {@link TimeoutError} that says so (tasks
   * still queued go to a new worker). Without this limit they would wait for ever. `Infinity` waits
   * however long startup takes; a task's own `timeoutMs` never counts a worker's startup.
   *
   * @default 10000
   * @example
   * ```ts
   * import { ThreadPool } from 'threadkit/thread';
   * // Workers preload a heavy agent (node --import ./agent.js): give them longer to start.
   * await using pool = new ThreadPool({ startupTimeoutMs: 60_000 });
   * console.log(await pool.run(() => 'up')); // 'up'
   * ```
   */
  readonly startupTimeoutMs?: number | undefined;
}

/**
 * Options of {@link ThreadPool.run}, for a target taking the arguments `A`. `args` is required (in
 * the types) when `A` has required elements, so options typed ahead of time as `RunOptions<[string]>`
 * fit `pool.run((s: string) => ..., options)`.
 *
 * @typeParam A - the target's argument list
 * @interface
 * @example
 * ```ts
 * import { ThreadPool, type RunOptions } from 'threadkit/thread';
 * await using pool = new ThreadPool();
 * const controller = new AbortController();
 * const options: RunOptions<[number, number]> = {
 *   args: [2, 3],
 *   signal: controller.signal,
 *   timeoutMs: 5000,
 * };
 * const sum = await pool.run((a: number, b: number) => a + b, options);
 * console.log(sum); // 5
 * ```
 */
export type RunOptions<A extends unknown[] = unknown[]> = RunOptionFields<A> & ArgsRequiredBy<A>;

/** The fields of {@link RunOptions}. */
interface RunOptionFields<A extends unknown[]> {
  /**
   * Arguments for the target: structured-cloned; Mutex and SharedArrayBuffer arrive live; a Thread,
   * ThreadPool, ThreadLocal or lock guard, which belong to this thread, are refused (a
   * `DataCloneError` naming where it sits). A readonly array or tuple (`as const`) is accepted. Required (in the types) when the target function has
   * required parameters.
   *
   * @default []
   */
  readonly args?: Readonly<A> | undefined;
  /** For a module target: the export to call. @default 'default' */
  readonly export?: string | undefined;
  /**
   * Objects in `args` to transfer (move) instead of copy, such as ArrayBuffers and MessagePorts. They
   * move when the task is sent to its worker: if that worker dies before the task starts, the task
   * fails with {@link ThreadExitError} rather than going to another worker (other tasks do).
   */
  readonly transfer?: readonly object[] | undefined;
  /** Aborting removes a queued task, or stops a running one (see {@link currentTask}); rejects with its reason. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Time limit counted from when the task starts running on its worker: not while it waits in the
   * queue, nor while its worker is still busy with code an earlier task left running (a timer's
   * callback). Past it, rejects with {@link TimeoutError} and stops the task (see {@link ThreadPool}).
   *
   * The wait to start on that worker is capped at twice the limit, counted from when the task was sent
   * to it (or from when the worker came up, for a new one): a task that has not started by then rejects
   * with a {@link TimeoutError} ("did not start within …"), and the worker, stuck in such leftover code,
   * is terminated and replaced (tasks it held and had not started go to another worker). A new
   * worker's startup does not count: {@link ThreadPoolOptions.startupTimeoutMs} bounds it.
   */
  readonly timeoutMs?: number | undefined;
}

/** A pool's checked options, with the defaults filled in. */
export interface PoolConfig {
  readonly size: number;
  readonly idleTimeoutMs: number;
  readonly maxQueue: number;
  readonly resourceLimits: ResourceLimits | undefined;
  readonly startupTimeoutMs: number;
}

/** Every key of {@link RunOptions}: checkOptions refuses any other. */
export const RUN_KEYS: OptionKeys<RunOptions> = {
  args: true,
  export: true,
  signal: true,
  timeoutMs: true,
  transfer: true,
};

/** Every key of {@link ThreadPoolOptions}: checkOptions refuses any other. */
const POOL_KEYS: OptionKeys<ThreadPoolOptions> = {
  idleTimeoutMs: true,
  maxQueue: true,
  resourceLimits: true,
  size: true,
  startupTimeoutMs: true,
};

/**
 * The default {@link ThreadPoolOptions.startupTimeoutMs}. A worker starts up in 20-100 ms, and in up
 * to about 1 s on a 2-core machine at load 40 (measured); a legitimate preload in every worker (`-r
 * ts-node/register`, an APM agent) can add seconds, and a limit shorter than that would fail the tasks
 * sent to every new worker and churn the workers. A worker not up after 10 s is stuck in code that
 * runs before it comes up (a `--require` preload that never returns), not slow.
 */
const STARTUP_TIMEOUT_MS = 10_000;

/**
 * Checks the options of `new ThreadPool()` and fills in the defaults.
 *
 * @throws TypeError/RangeError for bad options, naming the option
 */
export function checkPoolOptions(options: ThreadPoolOptions | undefined): PoolConfig {
  const opts = checkOptions<ThreadPoolOptions>(options, POOL_KEYS, 'new ThreadPool()');
  const size = checkCount(opts.size, 'size', 1) ?? cpuCount();
  if (size === Infinity) throw new RangeError('Expected `size` to be a finite integer >= 1, got Infinity');
  let idleTimeoutMs = checkTimeout(opts.idleTimeoutMs, 'idleTimeoutMs');
  if (opts.idleTimeoutMs === undefined) idleTimeoutMs = 30_000;
  const maxQueue = checkCount(opts.maxQueue, 'maxQueue', 0) ?? Infinity;
  const resourceLimits = checkResourceLimits(opts.resourceLimits);
  let startupTimeoutMs = checkTimeout(opts.startupTimeoutMs, 'startupTimeoutMs');
  if (opts.startupTimeoutMs === undefined) startupTimeoutMs = STARTUP_TIMEOUT_MS;
  // No worker is up at 0 ms: every task would fail.
  if (startupTimeoutMs === 0)
    throw new RangeError('Expected `startupTimeoutMs` to be a positive number of milliseconds, got 0');
  return { size, idleTimeoutMs, maxQueue, resourceLimits, startupTimeoutMs };
}
