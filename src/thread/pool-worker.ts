// One worker of a ThreadPool, seen from the caller's side: which targets it already compiled, which
// tasks it holds (a batch runs one task after another, in order), which of those it has not started
// and may be taken back for another worker (claims, see protocol.ts), and whether it may be reused.
import { processShared } from './process-shared.js';
import { Worker, type TransferListItem } from '../internal/worker-host.js';
import type { InheritedLocals } from '../threadlocal/inherit.js';
import {
  CLAIM_SLOTS,
  CLAIMS,
  claimToken,
  DOORBELL,
  NO_CLAIM,
  POOL_BYTES,
  POOL_SLOTS,
  PROGRESS,
  READY_AT,
  STARTED_AT,
  TASK_STRIDE,
  type PoolRequest,
  type PoolWorkerData,
} from './protocol.js';
import type { TargetDef } from './target.js';
import type { StackHolder } from './callsite.js';
import { transferFailed } from './options.js';
import { cloneFailed } from './clone-failure.js';
import { WORKER_URL } from './worker-url.js';

/** A submitted task, from `run()` until it settles. */
export interface Task {
  readonly id: number;
  readonly def: TargetDef;
  readonly args: unknown;
  /** How errors name its argument: `undefined` for `args[<i>]`, `items[<k>]` for an item of `map()`. */
  readonly argsName: string | undefined;
  readonly transfer: readonly TransferListItem[];
  readonly inherited: InheritedLocals | undefined;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  /** Dispatched alone, to an idle worker, so that "started" is known (timeouts, aborts). */
  readonly solo: boolean;
  /** Where `run()` was called: appended below the worker's stack of a task error. */
  callerStack: StackHolder;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** Set once when the task settles (or is cancelled); later results for it are dropped. */
  settled: boolean;
  /** The worker holding it, once dispatched. */
  holder: PoolWorker | undefined;
  /** Its claim word at its holder, while it may be taken back from it (see protocol.ts); else NO_CLAIM. */
  claim: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Unregisters the task from its signal's abort (see internal/abort-listeners.ts). */
  offAbort: (() => void) | undefined;
}

/** A pool worker and the batch it holds. */
export class PoolWorker {
  readonly worker: Worker;
  /**
   * Shared words (see POOL_SLOTS): the running task's id, which tells a crash's culprit apart, the
   * doorbell, the start of a timed task, and the claim words of the tasks sent and not started.
   */
  readonly progress = new Int32Array(new SharedArrayBuffer(POOL_BYTES), 0, POOL_SLOTS);
  /** When the worker started its running task, if that task has a time limit (see STARTED_AT). */
  readonly #startedAt = new Float64Array(this.progress.buffer, 0, POOL_BYTES / 8);
  /** Tasks sent and not yet reported, in the order the worker runs them. */
  readonly inflight = new Map<number, Task>();
  /** Targets this worker has received the definition of. */
  readonly #known = new Set<number>();
  /** Where the search for a free claim word starts: after the last one taken. */
  #nextClaim = 0;
  /** Set when the pool stops using this worker (terminated, crashed, idle-expired). */
  retired = false;
  /**
   * Set while the only task it holds has been cancelled and is still running (it has 100 ms to stop
   * before the worker is terminated): nothing a caller waits for runs on it, so the pool counts it as
   * free for the next task (see `PoolScheduler.cancel`). Cleared when it reports the task (it idles)
   * or is retired. Only the pool's workers list changes it (see `PoolWorkers.markFreeing`).
   */
  freeing = false;
  /** Checks, `startupTimeoutMs` after the worker was created, that it came up (see `PoolWorkers.spawn`). */
  startupTimer: ReturnType<typeof setTimeout> | undefined;
  /** Retires the worker once it has been idle long enough; kept across tasks (re-armed, not recreated). */
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** The worker's thread id (`worker.threadId` reads -1 once it exited). */
  readonly threadId: number;
  /** `performance.now()` when the worker last became idle. */
  idleSince = 0;
  /** `performance.now()` of the last result message from the worker (0: none yet; a failed post is none). */
  lastResultAt = 0;
  /** What killed the worker (an uncaught error, running out of memory), if something did. */
  lastError: unknown;
  /** Set when a task it held failed with {@link lastError} as its cause: the error reached the program. */
  lastErrorDelivered = false;

  /** The worker's thread name (`<pool name>-<k>`, what `currentThread().name` says in it). */
  readonly name: string;

  constructor(name: string, resourceLimits: object | undefined) {
    this.name = name;
    const workerData: PoolWorkerData = {
      mode: 'pool',
      name,
      progress: this.progress.buffer,
      reportEach: resourceLimits !== undefined,
      ...processShared(),
    };
    this.worker = new Worker(WORKER_URL, { workerData, resourceLimits });
    this.threadId = this.worker.threadId;
  }

  /**
   * Sends a batch; the worker runs it in order and reports results in batches. Throws what posting
   * throws (DataCloneError), with the batch registered in `inflight` for the caller to fail.
   */
  send(batch: readonly Task[]): void {
    let defs: TargetDef[] | undefined;
    let transfer: TransferListItem[] | undefined;
    const tasks: unknown[] = new Array<unknown>(batch.length * TASK_STRIDE);
    let i = 0;
    for (const task of batch) {
      const def = task.def;
      if (!this.#known.has(def.id)) {
        this.#known.add(def.id);
        (defs ??= []).push(def);
      }
      if (task.transfer.length > 0) (transfer ??= []).push(...task.transfer);
      tasks[i++] = task.timeoutMs === Infinity ? task.id : -task.id; // negated: record its start
      tasks[i++] = def.id;
      tasks[i++] = task.args;
      tasks[i++] = task.inherited;
      // A solo task starts at once (its time limit counts from then); objects transferred to this
      // worker cannot follow a task to another: neither is ever taken back.
      task.claim = task.solo || task.transfer.length > 0 ? NO_CLAIM : this.#takeClaim(task.id);
      tasks[i++] = task.claim;
      task.holder = this;
      this.inflight.set(task.id, task);
    }
    try {
      this.worker.postMessage({ defs, tasks } satisfies PoolRequest, transfer);
    } catch (err) {
      // Nothing was sent (an uncloneable arg or a bad transfer list): the worker did not learn the
      // defs, and the claim words are free again.
      if (defs) for (const def of defs) this.#known.delete(def.id);
      for (const task of batch) this.#dropClaim(task);
      // The culprit among the arguments is named once the tasks are posted one by one (the scheduler).
      const only = batch.length === 1 ? batch[0] : undefined;
      const named = only ? cloneFailed(err, only.args, only.transfer, only.argsName) : err;
      throw named === err ? transferFailed(err) : named;
    }
    this.worker.ref(); // busy: pending results keep the process alive
    this.#ring();
  }

  /** A free claim word (one holding 0), now holding `id`'s token; NO_CLAIM if none is free. */
  #takeClaim(id: number): number {
    for (let probes = 0; probes < CLAIM_SLOTS; probes++) {
      const k = this.#nextClaim;
      this.#nextClaim = k + 1 === CLAIM_SLOTS ? 0 : k + 1;
      // Only the pool turns a 0 into a token, so a 0 read here stays 0 until this store.
      if (Atomics.load(this.progress, CLAIMS + k) === 0) {
        Atomics.store(this.progress, CLAIMS + k, claimToken(id));
        return k;
      }
    }
    return NO_CLAIM;
  }

  /** Frees the claim word of a task the worker never received. */
  #dropClaim(task: Task): void {
    if (task.claim !== NO_CLAIM) Atomics.store(this.progress, CLAIMS + task.claim, 0);
    task.claim = NO_CLAIM;
  }

  /** The tasks sent to this worker that it has not started and that may be taken back, in run order. */
  unstarted(): Task[] {
    const waiting: Task[] = [];
    for (const task of this.inflight.values()) {
      if (task.claim !== NO_CLAIM && Atomics.load(this.progress, CLAIMS + task.claim) === claimToken(task.id))
        waiting.push(task);
    }
    return waiting;
  }

  /**
   * Takes `task` back unless the worker has started it (see protocol.ts, claims): whether it did.
   * The worker then skips it; the caller sends it to another worker.
   */
  takeBack(task: Task): boolean {
    const token = claimToken(task.id);
    if (
      task.claim === NO_CLAIM ||
      Atomics.compareExchange(this.progress, CLAIMS + task.claim, token, 0) !== token
    )
      return false;
    task.claim = NO_CLAIM;
    task.holder = undefined;
    this.inflight.delete(task.id);
    return true;
  }

  /**
   * When the worker came up: had loaded its code and could start tasks (see READY_AT), as
   * `wallClock()` (protocol.ts); undefined while it boots. How long a timed task waits to start
   * counts from then at the earliest.
   */
  get readyAt(): number | undefined {
    const at = this.#startedAt[READY_AT]!;
    return at === 0 ? undefined : at;
  }

  /** Asks the running task to stop (its `currentTask().signal` aborts). */
  cancel(task: Task, reason: unknown): void {
    this.worker.postMessage({ cancel: task.id, reason } satisfies PoolRequest);
    this.#ring();
  }

  /**
   * Wakes the worker if it waits on DOORBELL. The message is already in its port's queue when the
   * count changes, so a worker that read the old count either waits and is woken here, or fails
   * its wait at once (the value differs) and then finds the message.
   */
  #ring(): void {
    Atomics.add(this.progress, DOORBELL, 1);
    Atomics.notify(this.progress, DOORBELL, 1);
  }

  /** The task the worker was running when it stopped, if any. */
  running(): number {
    return Atomics.load(this.progress, PROGRESS);
  }

  /**
   * When the worker started task `id` (a task with a time limit), as `performance.timeOrigin +
   * performance.now()`, if it is running it; undefined if it has not started yet, or has finished.
   */
  startedAt(id: number): number | undefined {
    return Atomics.load(this.progress, PROGRESS) === id ? this.#startedAt[STARTED_AT] : undefined;
  }

  /**
   * When the worker last started a task with a time limit (0: never), as {@link startedAt} counts:
   * the slot keeps it after the task ends, until the next such task starts.
   */
  lastTimedStart(): number {
    return this.#startedAt[STARTED_AT]!;
  }
}
