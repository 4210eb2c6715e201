// The way of a ThreadPool's tasks once submitted: queued, handed to workers in batches (the policy is
// in pool-batching.ts), settled by the results the workers send back, cancelled (abort, time limit),
// and failed or queued again when their worker exits (which of the two: pool-worker-failure.ts). It
// also tells close() when all work is done.
import { deferred } from '../internal/deferred.js';
import { unrefTimer } from '../internal/runtime.js';
import { QueueFullError } from '../errors.js';
import type { StackHolder } from './callsite.js';
import { serializeError } from '../internal/error-codec.js';
import { reviveOutcome } from './outcome.js';
import { pipelineTarget, steal, stealable, takeBatch } from './pool-batching.js';
import type { PoolConfig } from './pool-options.js';
import { failTask, finishTask, startTaskTimer, type TaskCanceller } from './pool-tasks.js';
import type { PoolWorker, Task } from './pool-worker.js';
import { spawnOrFail, startupTimeoutError, tasksToRequeue } from './pool-worker-failure.js';
import { PoolWorkers, type WorkerEvents } from './pool-workers.js';
import { RESULT_STRIDE } from './protocol.js';
import type { TargetDef } from './target.js';
import { TaskQueue } from './task-queue.js';

/** How long a cancelled running task may take to stop by itself before its worker is terminated. */
const CANCEL_GRACE_MS = 100;

/** Tasks a worker holds beyond the one it runs first: sent ahead of time, not started (as far as the pool knows). */
function aheadOn(w: PoolWorker): number {
  return w.inflight.size > 1 ? w.inflight.size - 1 : 0;
}

/** `n thing` or `n things`. */
function plural(n: number, thing: string): string {
  return `${n} ${thing}${n === 1 ? '' : 's'}`;
}

/** Queues, dispatches and settles the tasks of one pool. */
export class PoolScheduler implements WorkerEvents, TaskCanceller {
  readonly #name: string;
  readonly #size: number;
  readonly #maxQueue: number;
  readonly #workers: PoolWorkers;
  /** Tasks not yet dispatched. */
  readonly #queue = new TaskQueue();
  /** Captures the stack of the code that called `run()`. */
  readonly #captureStack: () => StackHolder;
  #dispatchScheduled = false;
  /** What {@link drained} returned while busy, shared by every caller (close() may be called twice). */
  #drained: { promise: Promise<void>; resolve: () => void } | undefined;
  /** Tasks sent to workers and not yet reported or failed by their worker's exit. */
  #inflightCount = 0;
  /**
   * Of those, the tasks sent ahead (see {@link aheadOn}): all but the first of each worker. They wait
   * to start as the queued tasks do, and count toward `maxQueue` with them.
   */
  #sentAhead = 0;
  /** Submitters that keep the pool busy between their tasks (a `map()` with items left): see {@link hold}. */
  #holds = 0;
  /** Called once when room in the queue may have freed (see {@link whenRoom}). */
  #roomWaiters: (() => void)[] = [];
  /**
   * Caller stack shared by the tasks of one target submitted in the same synchronous run (until the
   * dispatch microtask): capturing a stack per task costs more than the rest of `run()` together.
   */
  #lastStack: { def: TargetDef; stack: StackHolder } | undefined;

  constructor(name: string, config: PoolConfig, captureStack: () => StackHolder) {
    this.#name = name;
    this.#size = config.size;
    this.#maxQueue = config.maxQueue;
    this.#captureStack = captureStack;
    this.#workers = new PoolWorkers(name, config, this);
  }

  /** Whether tasks are queued or running, or a holder has more to submit. */
  get busy(): boolean {
    return this.#queue.size > 0 || this.#inflightCount > 0 || this.#holds > 0;
  }

  /** Keeps the pool {@link busy} (close() waits) until {@link release}: a submitter with more tasks to come. */
  hold(): void {
    this.#holds++;
  }

  release(): void {
    this.#holds--;
    this.#checkDrained();
  }

  /** Resolves once no task is queued or running (call only while {@link busy}); the same promise for every caller. */
  drained(): Promise<void> {
    this.#drained ??= deferred();
    return this.#drained.promise;
  }

  /**
   * Workers that could take a task now: the idle ones, those not started yet, and those whose cancelled
   * task is stopping (a task for one starts once that task stops, or on its replacement, 100 ms later
   * at most: see {@link cancel}).
   */
  #freeWorkers(): number {
    const workers = this.#workers;
    return workers.idle.length + this.#size - workers.all.size + workers.freeing;
  }

  /**
   * Whether one more task can be submitted without more than `maxQueue` tasks waiting to start: queued,
   * or sent ahead to a busy worker. Queued tasks that a free worker takes at the next dispatch start
   * there; as many as there are free workers are not waiting.
   */
  hasRoom(): boolean {
    const queued = this.#queue.size;
    const free = this.#freeWorkers();
    return queued < free || queued - free + this.#sentAhead < this.#maxQueue;
  }

  /** @throws QueueFullError if another task would wait past `maxQueue` */
  checkRoom(): void {
    if (this.hasRoom()) return;
    const starting = Math.min(this.#queue.size, this.#freeWorkers());
    const waiting = this.#queue.size - starting + this.#sentAhead;
    // One running task per busy worker (those it holds past the first were sent ahead), and the starting;
    // not a cancelled task that is stopping, whose caller already has its rejection.
    const running = this.#inflightCount - this.#sentAhead - this.#workers.freeing + starting;
    throw new QueueFullError(
      `${this.#name} is full: ${plural(running, 'task')} running on its ${plural(this.#size, 'worker')}, ` +
        `${waiting} waiting to start (maxQueue: ${this.#maxQueue})`,
    );
  }

  /** Calls `wake` once, the next time room in the queue may have freed (a task left it, a worker freed). */
  whenRoom(wake: () => void): void {
    this.#roomWaiters.push(wake);
  }

  #wakeRoomWaiters(): void {
    if (this.#roomWaiters.length === 0) return;
    const waiters = this.#roomWaiters;
    this.#roomWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Queues a task and dispatches it, now or with the rest of its burst; `stack`: its caller's, if known. */
  submit(task: Task, stack: StackHolder | undefined): void {
    this.#queue.push(task);
    if (this.#dispatchScheduled) {
      // part of a burst: dispatched together, in batches, by the microtask below
    } else if (this.#queue.size === 1 && this.#workers.idle.length > 0) {
      this.#dispatch(); // a lone task: post it now, and capture the stack while the worker runs it
    } else {
      this.#dispatchScheduled = true;
      this.#lastStack = undefined;
      queueMicrotask(() => {
        this.#dispatch();
        this.#wakeRoomWaiters(); // a task pipelined to a busy worker left the queue
      });
    }
    // Results arrive by message, so never before this synchronous code ends.
    task.callerStack = stack ?? this.#callerStack(task.def);
  }

  /** A fresh caller stack, or the one of the previous task of `def` in the same burst. */
  #callerStack(def: TargetDef): StackHolder {
    const last = this.#lastStack;
    if (last !== undefined && last.def === def && this.#dispatchScheduled) return last.stack;
    const stack = this.#captureStack();
    this.#lastStack = { def, stack };
    return stack;
  }

  /**
   * Hands queued tasks to workers: to idle ones first, then to new ones up to `size`, then (unless
   * the next task must start at once) pipelined to a busy worker still streaming results; see
   * pool-batching.ts.
   */
  #dispatch(): void {
    this.#dispatchScheduled = false;
    this.#lastStack = undefined;
    const workers = this.#workers;
    while (this.#queue.size > 0) {
      const next = this.#queue.peek()!;
      let worker = workers.idle.pop();
      if (worker === undefined && workers.all.size < this.#size) worker = this.#spawn();
      if (worker === undefined) worker = pipelineTarget(workers.all, next);
      if (worker === undefined) return;
      const batch = takeBatch(this.#queue, worker, this.#size);
      const last = batch[batch.length - 1]!;
      if (last.solo && last.timeoutMs !== Infinity) startTaskTimer(last, worker, this);
      this.#inflightCount += batch.length;
      this.#send(worker, batch);
    }
  }

  /** Starts a worker if the runtime can; if none can run the queued tasks, they failed (see spawnOrFail). */
  #spawn(): PoolWorker | undefined {
    const worker = spawnOrFail(this.#workers, this.#queue);
    // Called with tasks queued: an empty queue now means that they failed.
    if (worker === undefined && this.#queue.size === 0) {
      this.#wakeRoomWaiters();
      this.#checkDrained();
    }
    return worker;
  }

  /** Posts a batch; a task whose args or transfer list cannot be posted fails alone, as if it threw. */
  #send(worker: PoolWorker, batch: Task[]): void {
    const ahead = aheadOn(worker);
    try {
      worker.send(batch);
      return;
    } catch {
      // Find the culprits: send the tasks one by one.
    } finally {
      // Registered in `inflight` even when posting failed (the failed tasks are reported below).
      this.#sentAhead += aheadOn(worker) - ahead;
    }
    const failed: unknown[] = [];
    for (const task of batch) {
      try {
        worker.send([task]);
      } catch (err) {
        failed.push(task.id, 0, serializeError(err));
      }
    }
    // Not from the worker: it ran nothing, so this is no result of its (see #settle).
    if (failed.length > 0) queueMicrotask(() => this.#settle(worker, failed));
  }

  /** A worker reported results (id, ok, value triples): settles those tasks and gives it more work. */
  onResults(w: PoolWorker, results: unknown[]): void {
    // The worker has run tasks: a death now is not a failure to start (see pool-worker-failure.ts).
    w.lastResultAt = performance.now();
    this.#settle(w, results);
  }

  /**
   * Settles the tasks of `results` (id, ok, value triples) that `w` held: those it reported, or those
   * that failed to be posted to it. Then gives it more work, or marks it idle.
   */
  #settle(w: PoolWorker, results: unknown[]): void {
    const ahead = aheadOn(w);
    for (let i = 0; i < results.length; i += RESULT_STRIDE) {
      const task = w.inflight.get(results[i] as number);
      if (!task) continue;
      w.inflight.delete(task.id);
      this.#inflightCount--;
      if (task.settled) continue;
      finishTask(task);
      // A result that cannot be revived here fails its task alone (never throws out of this handler).
      const outcome = reviveOutcome(results[i + 1] === 1, results[i + 2], task.callerStack);
      if (outcome.ok) task.resolve(outcome.value);
      else task.reject(outcome.error);
    }
    this.#sentAhead += aheadOn(w) - ahead;
    if (!w.retired) {
      if (w.inflight.size === 0) {
        this.#workers.markFreeing(w, false); // a cancelled task stopped in time: the worker is kept
        this.#becomeIdle(w);
      } else if (this.#queue.size > 0) this.#dispatch();
    }
    this.#wakeRoomWaiters();
  }

  #becomeIdle(w: PoolWorker): void {
    if (this.#queue.size === 0 && this.#steal(w)) return;
    this.#workers.idle.push(w);
    if (this.#queue.size > 0) {
      this.#dispatch();
      if (!w.inflight.size) this.#workers.armIdle(w);
      return;
    }
    this.#workers.armIdle(w);
    this.#checkDrained();
  }

  /** Sends `w`, out of work, tasks another worker holds and has not started (see steal()): whether any. */
  #steal(w: PoolWorker): boolean {
    const stolen = steal(w, this.#workers.all);
    if (stolen.length === 0) return false;
    // They leave one worker's inflight for another's: #inflightCount stays. The victim keeps the task
    // it runs, so each one taken is one fewer sent ahead there; #send counts them on `w`.
    this.#sentAhead -= stolen.length;
    this.#send(w, stolen);
    return true;
  }

  #checkDrained(): void {
    if (this.#drained && !this.busy) {
      const { resolve } = this.#drained;
      this.#drained = undefined;
      resolve();
    }
  }

  /**
   * Rejects `task` with `reason`; a running one is asked to stop, and its worker is terminated if it
   * has not stopped {@link CANCEL_GRACE_MS} later. Meanwhile a worker running nothing else counts as
   * free (see {@link hasRoom}): what is submitted then waits for it, and starts on it once the task
   * stops, or on its replacement.
   */
  cancel(task: Task, reason: unknown): void {
    if (task.settled) return;
    const holder = task.holder;
    if (!holder) this.#queue.remove(task);
    failTask(task, reason);
    if (!holder || !holder.inflight.has(task.id)) {
      this.#wakeRoomWaiters();
      return this.#checkDrained();
    }
    holder.cancel(task, serializeError(reason));
    if (holder.inflight.size === 1) {
      this.#workers.markFreeing(holder, true);
      this.#wakeRoomWaiters();
    }
    unrefTimer(
      setTimeout(() => {
        if (holder.inflight.has(task.id) && !holder.retired) this.#retireRunning(holder);
      }, CANCEL_GRACE_MS),
    );
  }

  /**
   * Stops using `w`, a worker still running a task that will not stop: terminates it, takes back the
   * tasks sent to it that it has not started (queued again at the front), and starts a replacement if
   * work waits. All that happens now, not at its exit: a worker inside a native call that cannot be
   * interrupted (a `spawnSync`) exits only when the call returns, and work must not wait for that.
   */
  #retireRunning(w: PoolWorker): void {
    this.#workers.retire(w);
    const ahead = aheadOn(w);
    const back = w.unstarted().filter((task) => w.takeBack(task));
    this.#inflightCount -= back.length;
    this.#sentAhead += aheadOn(w) - ahead;
    this.#queue.unshift(back);
    this.#refill();
    this.#wakeRoomWaiters();
  }

  /**
   * A worker stopped: the tasks it held fail, or are queued again at the front (see
   * tasksToRequeue). A replacement is started if work is waiting (see #refill).
   */
  onExit(w: PoolWorker, code: number): void {
    const wasRetired = w.retired;
    this.#workers.retire(w);
    this.#inflightCount -= w.inflight.size;
    this.#sentAhead -= aheadOn(w);
    this.#queue.unshift(tasksToRequeue(w, code, wasRetired));
    this.#refill();
    this.#wakeRoomWaiters();
    this.#checkDrained();
  }

  /**
   * `w` has not come up `ms` after it was created: it is stuck in code that runs before it does (a
   * preload that never returns), and the tasks sent to it would wait for ever. It is terminated, and
   * they fail now (each with its own TimeoutError), not at its exit: a worker stuck in a native call
   * exits only when the call returns. It never started any of them (no task starts before the worker
   * is up), but they do not go to another worker, which could hang the same way for ever; the tasks
   * still queued do, and fail the same way if it does.
   */
  onStartupTimeout(w: PoolWorker, ms: number): void {
    const held = [...w.inflight.values()];
    this.#inflightCount -= held.length;
    this.#sentAhead -= aheadOn(w);
    w.inflight.clear();
    this.#workers.retire(w);
    for (const task of held) failTask(task, startupTimeoutError(w, ms));
    this.#refill();
    this.#wakeRoomWaiters();
    this.#checkDrained();
  }

  /**
   * Starts workers while the pool is below its size and work waits: queued (dispatch starts them),
   * or sent ahead to a busy worker and not started, which a new worker takes over (see steal()).
   * Else tasks pipelined behind a long one would wait for it while the pool is a worker short.
   */
  #refill(): void {
    if (this.#queue.size > 0) this.#dispatch();
    while (this.#queue.size === 0 && this.#workers.all.size < this.#size && stealable(this.#workers.all)) {
      const w = this.#spawn();
      if (w === undefined) return;
      this.#becomeIdle(w); // steals; or, if the tasks started meanwhile, idles
    }
  }

  /** Rejects every queued and running task with `error` (the pool is being destroyed). */
  failAll(error: unknown): void {
    for (const task of this.#queue.clear()) failTask(task, error);
    for (const w of this.#workers.all) for (const task of w.inflight.values()) failTask(task, error);
    this.#wakeRoomWaiters();
    // With nothing sent to a worker (the tasks were all still queued) no exit will tell close().
    this.#checkDrained();
  }

  /** Stops every worker; resolves once all have exited. */
  stop(): Promise<void> {
    return this.#workers.stopAll();
  }
}
