// Messages and shared-memory slots between a thread's creator and the worker bootstrap
// (thread-worker.ts). Kept in one place so both sides agree.
import type { MessagePort } from 'node:worker_threads';
import type { InheritedLocals } from '../threadlocal/inherit.js';
import type { TargetDef } from './target.js';

/**
 * A Thread's status word, `Int32Array` over a 2-slot SharedArrayBuffer.
 *
 * | slot          | values                                     | written by                     |
 * |---------------|--------------------------------------------|--------------------------------|
 * | `STATE`       | `RUNNING` → `SETTLED` or `EXITED`, once    | the worker                     |
 * | `EXIT_CODE`   | exit code, valid once `STATE` is `EXITED`  | the worker's `exit` handler    |
 *
 * The worker posts the result on its port before storing `SETTLED` and notifying, so a joiner that
 * sees `SETTLED` finds the result with `receiveMessageOnPort`. `joinSync` waits on `STATE` while it
 * holds `RUNNING`; the worker's store happens before its notify, so no wake-up is lost.
 */
export const STATE = 0;
export const EXIT_CODE = 1;
export const STATUS_SLOTS = 2;
export const RUNNING = 0;
export const SETTLED = 1;
export const EXITED = 2;

/**
 * A pool worker's shared memory, a SharedArrayBuffer of POOL_BYTES: POOL_SLOTS `Int32Array` words, of
 * which words 2–3 and 4–5 are two `Float64Array` slots.
 *
 * | slot                   | meaning                                                                | written by           |
 * |------------------------|------------------------------------------------------------------------|----------------------|
 * | `PROGRESS`             | id of the task it is running, 0 between tasks                          | the worker           |
 * | `DOORBELL`             | incremented after every message the pool posts to it                   | the pool             |
 * | `STARTED_AT` (Float64) | when it started its running task, if that task has a time limit        | the worker           |
 * |                        | (`performance.timeOrigin + performance.now()`), in words 2–3           |                      |
 * | `READY_AT` (Float64)   | when it had loaded its code and could start tasks (0: not yet; same    | the worker, once     |
 * |                        | clock), in words 4–5                                                   |                      |
 * | `CLAIMS` + k           | claim word k: `claimToken(id)` of a task sent and not started, else 0  | the pool, the worker |
 *
 * The worker writes `STARTED_AT` before it stores the task's id in `PROGRESS`: the pool, having read
 * the id there, reads that task's start (or a later task's, which only gives it more time). A task
 * with a time limit is sent with its id negated (see TASK_STRIDE), so that only those pay for a clock
 * read.
 *
 * An idle worker briefly waits on `DOORBELL` and takes the next message with `receiveMessageOnPort`
 * instead of a round through its event loop (see `awaitNextTask` in thread-worker.ts); where the
 * runtime cannot (Web Workers, Deno's `parentPort`), each message arrives through the event loop.
 *
 * Claims let the pool take back a task it sent to a busy worker and give it to an idle one. Before
 * posting such a task, the pool stores its token in a free claim word (one that holds 0) and sends
 * the word's index with it. Whoever swaps the token for 0 first owns the task
 * (`Atomics.compareExchange`, so exactly one side wins):
 *
 * | claim word holds   | the worker comes to the task          | the pool takes the task back          |
 * |--------------------|---------------------------------------|---------------------------------------|
 * | the task's token   | swaps it for 0, runs the task         | swaps it for 0, sends it elsewhere    |
 * | 0, another token   | skips it: the pool took it back       | fails: the worker has started it      |
 *
 * So a task runs once: never by both (one swap wins), never by neither (the loser of the swap knows
 * the winner has it). A word holding 0 is free: whoever swapped it is done with it, and a worker
 * that comes late to a task taken back expects that task's token, which a reused word no longer
 * holds (tokens of tasks 2^31 - 1 apart are the only ones alike). A task with `NO_CLAIM` has no
 * word and is always run.
 */
export const PROGRESS = 0;
export const DOORBELL = 1;
/** Index of `STARTED_AT` in a `Float64Array` over the same buffer (bytes 8–15: words 2 and 3). */
export const STARTED_AT = 1;
/**
 * Index of `READY_AT` in that `Float64Array` (bytes 16–23: words 4 and 5). Not the worker's 'online'
 * event, which fires when its thread starts running JavaScript, 20-50 ms before it has loaded the
 * bootstrap modules and can start a task: a time limit counted from 'online' used part of that.
 */
export const READY_AT = 2;
export const CLAIMS = 6;
/**
 * Claim words per worker: twice the most tasks a worker holds (PIPELINE_DEPTH in pool-batching.ts),
 * so a free one is found within a few probes.
 */
export const CLAIM_SLOTS = 256;
export const POOL_SLOTS = CLAIMS + CLAIM_SLOTS;
export const POOL_BYTES = POOL_SLOTS * 4;
/** The claim index of a task that cannot be taken back (it runs wherever it was sent). */
export const NO_CLAIM = -1;

/**
 * The clock of `STARTED_AT` and `READY_AT`, read the same way on both sides of the
 * pool (each thread has its own `performance.now()` origin; `timeOrigin` makes them comparable).
 */
export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

/** What a claim word holds while task `id` waits to start: never 0, the word's free value. */
export function claimToken(id: number): number {
  return (id % 0x7fffffff) + 1;
}

/** The process-wide shared memory every threadkit worker receives (process-shared.ts). */
export interface ProcessShared {
  /** The registry of dead threads (src/internal/dead-threads.ts). */
  readonly deadThreads: SharedArrayBuffer;
  /** The counters of default thread and pool names (names.ts). */
  readonly names: SharedArrayBuffer;
  /** The program's main file (a path), undefined where there is none (main-guard.ts). */
  readonly mainEntry: string | undefined;
}

/** `workerData` of a Thread's worker. */
export interface ThreadWorkerData extends ProcessShared {
  readonly mode: 'thread';
  readonly name: string;
  readonly target: TargetDef;
  readonly args: unknown;
  readonly inherited: InheritedLocals | undefined;
  readonly status: SharedArrayBuffer;
  readonly port: MessagePort;
}

/** `workerData` of a pool worker. */
export interface PoolWorkerData extends ProcessShared {
  readonly mode: 'pool';
  readonly name: string;
  readonly progress: SharedArrayBuffer;
  /**
   * Send each result as soon as its task ends, instead of in batches: set when the pool has
   * `resourceLimits`, whose out-of-memory kill leaves no chance to send results held back.
   */
  readonly reportEach: boolean;
}

/** A Thread's single result message: `[ok, value]`, value encoded or a serialized error. */
export type ThreadResult = [ok: boolean, value: unknown];

/** Fields of one task inside a batch (`tasks` is flat: TASK_STRIDE entries per task). */
export const TASK_STRIDE = 5; // id (negated: has a time limit), target id, encoded args, inherited locals, claim index (or NO_CLAIM)
/** Fields of one result inside a result message (flat: RESULT_STRIDE entries per result). */
export const RESULT_STRIDE = 3; // id, ok (1/0), encoded value or serialized error

/** Caller → pool worker. */
export type PoolRequest =
  | { readonly defs: TargetDef[] | undefined; readonly tasks: unknown[] }
  | { readonly cancel: number; readonly reason: unknown };
