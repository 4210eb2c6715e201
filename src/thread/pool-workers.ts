// The worker threads of a ThreadPool and their lifecycle: started on demand, kept on an idle list
// while they have nothing to run (unref'd: an idle pool never keeps the process alive), retired
// after idling `idleTimeoutMs`, when a cancelled task will not stop, when one does not come up within
// `startupTimeoutMs`, when they exit, or when the pool stops. Their result messages, exits and
// failures to come up are handed to the pool's scheduler.
import { deferred } from '../internal/deferred.js';
import { unrefTimer } from '../internal/runtime.js';
import { markThreadDead } from '../internal/dead-threads.js';
import type { ResourceLimits } from './options.js';
import type { PoolConfig } from './pool-options.js';
import { PoolWorker } from './pool-worker.js';
import { reportLateError } from './unhandled.js';

/** Where a worker's result messages, its exit and its failure to come up are handled (the pool's scheduler). */
export interface WorkerEvents {
  onResults(w: PoolWorker, results: unknown[]): void;
  onExit(w: PoolWorker, code: number): void;
  /** `w`, still in use, has not come up (see READY_AT) within `ms` of its creation. */
  onStartupTimeout(w: PoolWorker, ms: number): void;
}

/**
 * A worker killed by an error while it ran no task (a timer or a rejection an earlier task left
 * behind): no task fails with that error (the scheduler queues again the ones it held), so it is
 * reported like a thread's error that nobody sees (unhandled.ts). One that died running a task, or
 * before it ran any, fails those tasks with the error instead (see `PoolScheduler.onExit`), as does
 * one holding a task it had not started that cannot go to another worker (it transferred objects):
 * those are not reported. Call it after `onExit`, which fails those tasks.
 */
function reportIdleDeath(w: PoolWorker): void {
  const error = w.lastError;
  if (error === undefined || w.lastErrorDelivered || w.running() !== 0 || w.lastResultAt === 0) return;
  reportLateError(w.name, 'a pool worker, after its tasks finished', error);
}

/** The workers of one pool. */
export class PoolWorkers {
  /** Workers in use (not retired). */
  readonly all = new Set<PoolWorker>();
  /** Workers with nothing in flight, most recently used last. */
  readonly idle: PoolWorker[] = [];
  /** The pool's name: workers are named `<pool name>-<k>`. */
  readonly #name: string;
  readonly #idleTimeoutMs: number;
  readonly #startupTimeoutMs: number;
  readonly #resourceLimits: ResourceLimits | undefined;
  readonly #events: WorkerEvents;
  #count = 0;
  /** Workers in use that are {@link PoolWorker.freeing}: free for the next task once their cancelled one stops. */
  #freeing = 0;
  /** Workers started and not yet exited: those in use, and retired ones still shutting down. */
  readonly #alive = new Set<PoolWorker>();
  /** What {@link stopAll} returned: every call waits for the same exits (the list empties on the first). */
  #stopped: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(name: string, config: PoolConfig, events: WorkerEvents) {
    this.#name = name;
    this.#idleTimeoutMs = config.idleTimeoutMs;
    this.#startupTimeoutMs = config.startupTimeoutMs;
    this.#resourceLimits = config.resourceLimits;
    this.#events = events;
  }

  /** Starts a worker and puts it in use (not on the idle list: the caller gives it work). */
  spawn(): PoolWorker {
    const w = new PoolWorker(`${this.#name}-${++this.#count}`, this.#resourceLimits);
    this.all.add(w);
    this.#alive.add(w);
    w.worker.on('message', (results: unknown[]) => this.#events.onResults(w, results));
    w.worker.on('error', (err) => (w.lastError ??= err));
    w.worker.on('exit', (code) => {
      markThreadDead(w.threadId); // locks it held can be taken over
      this.#events.onExit(w, code);
      reportIdleDeath(w); // after onExit: unless a task it failed carries the error
      this.#alive.delete(w);
      if (this.#alive.size === 0) this.#stopped?.resolve();
    });
    this.#watchStartup(w);
    return w;
  }

  /**
   * Reports `w` if it has not come up `startupTimeoutMs` after now, its creation. The worker says when
   * it has (READY_AT, in shared memory) without a message, so the timer looks then. Unref'd: a worker
   * holding tasks keeps the process alive by itself (see `PoolWorker.send`), and the timer fires.
   */
  #watchStartup(w: PoolWorker): void {
    const ms = this.#startupTimeoutMs;
    if (ms === Infinity) return;
    w.startupTimer = setTimeout(() => {
      w.startupTimer = undefined;
      if (!w.retired && w.readyAt === undefined) this.#events.onStartupTimeout(w, ms);
    }, ms);
    unrefTimer(w.startupTimer);
  }

  /** How many workers in use are {@link PoolWorker.freeing}. */
  get freeing(): number {
    return this.#freeing;
  }

  /** Marks `w` as {@link PoolWorker.freeing}, or clears the mark (`on` false); counted in {@link freeing}. */
  markFreeing(w: PoolWorker, on: boolean): void {
    if (w.freeing === on || (on && w.retired)) return;
    w.freeing = on;
    this.#freeing += on ? 1 : -1;
  }

  /** A worker has nothing in flight: let the process exit without it, and start its idle countdown. */
  armIdle(w: PoolWorker): void {
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
      if (w.inflight.size > 0 || w.retired) return; // busy: armIdle starts a timer when it idles again
      const left = w.idleSince + this.#idleTimeoutMs - performance.now();
      if (left > 0) this.#startIdleTimer(w, left);
      else this.retire(w);
    }, ms);
    unrefTimer(w.idleTimer);
  }

  /** Stops using a worker and terminates it; the tasks it held are handled when it exits (onExit). */
  retire(w: PoolWorker): void {
    if (w.retired) return;
    this.markFreeing(w, false); // no longer in use: `all` counts it no more
    w.retired = true;
    this.all.delete(w);
    const i = this.idle.indexOf(w);
    if (i !== -1) this.idle.splice(i, 1);
    if (w.idleTimer !== undefined) clearTimeout(w.idleTimer);
    if (w.startupTimer !== undefined) clearTimeout(w.startupTimer);
    void w.worker.terminate();
  }

  /**
   * Retires every worker and resolves once all have exited, those retired earlier included (a worker
   * terminated while inside a native call exits only when the call returns). Every call shares one
   * promise: a second call must not find the list of workers already emptied and resolve at once.
   */
  stopAll(): Promise<void> {
    // Made before terminating: Deno's worker_threads emits 'exit' synchronously inside terminate().
    this.#stopped ??= deferred();
    for (const w of [...this.all]) this.retire(w);
    if (this.#alive.size === 0) this.#stopped.resolve();
    return this.#stopped.promise;
  }
}
