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
 * A pool worker's shared memory, a SharedArrayBuffer of POOL_BYTES: POOL_SLOTS `Int32Array` words,
 * then one `Float64Array` slot.
 *
 * | slot                   | meaning                                                  | written by |
 * |------------------------|----------------------------------------------------------|------------|
 * | `PROGRESS`             | id of the task it is running, 0 between tasks            | the worker |
 * | `DOORBELL`             | incremented after every message the pool posts to it     | the pool   |
 * | `STARTED_AT` (Float64) | when it started its running task, if that task has a     | the worker |
 * |                        | time limit (`performance.timeOrigin + performance.now()`) |            |
 *
 * The worker writes `STARTED_AT` before it stores the task's id in `PROGRESS`: the pool, having read
 * the id there, reads that task's start (or a later task's, which only gives it more time). A task
 * with a time limit is sent with its id negated (see TASK_STRIDE), so that only those pay for a clock
 * read.
 *
 * An idle worker briefly waits on `DOORBELL` and takes the next message with `receiveMessageOnPort`
 * instead of a round through its event loop (see `awaitNextTask` in thread-worker.ts); where the
 * runtime cannot (Web Workers, Deno's `parentPort`), each message arrives through the event loop.
 */
export const PROGRESS = 0;
export const DOORBELL = 1;
export const POOL_SLOTS = 2;
/** Index of `STARTED_AT` in a `Float64Array` over the same buffer (the 8 bytes after the words). */
export const STARTED_AT = 1;
export const POOL_BYTES = 16;

/** The process-wide shared memory every threadkit worker receives (process-shared.ts). */
export interface ProcessShared {
  /** The registry of dead threads (src/internal/dead-threads.ts). */
  readonly deadThreads: SharedArrayBuffer;
  /** The counters of default thread and pool names (names.ts). */
  readonly names: SharedArrayBuffer;
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
export const TASK_STRIDE = 4; // id (negated: has a time limit), target id, encoded args, inherited locals
/** Fields of one result inside a result message (flat: RESULT_STRIDE entries per result). */
export const RESULT_STRIDE = 3; // id, ok (1/0), encoded value or serialized error

/** Caller → pool worker. */
export type PoolRequest =
  | { readonly defs: TargetDef[] | undefined; readonly tasks: unknown[] }
  | { readonly cancel: number; readonly reason: unknown };
