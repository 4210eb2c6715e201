// Settling a ThreadPool task: the bookkeeping done once, whichever way it ends (result, error,
// cancellation, time limit, worker exit), and the timer that enforces its `timeoutMs`.
import { TimeoutError } from '../errors.js';
import type { PoolWorker, Task } from './pool-worker.js';
import { wallClock } from './protocol.js';

/**
 * How long a new worker may take to come up (to have loaded its code, READY_AT in protocol.ts) before a timed task sent to it
 * stops waiting, when twice the task's limit is shorter. Booting takes 20-100 ms, and up to about
 * 1 s on a 2-core machine at load 40 (measured); a legitimate preload in every worker (`-r
 * ts-node/register`, an APM agent) can add seconds, and a grace shorter than that would fail every
 * timed task sent to a new worker and churn the workers. A worker not up after 10 s is stuck in code
 * that runs before it comes up (a `--require` preload that never returns), not slow.
 */
export const BOOT_GRACE_MS = 10_000;

/** Whoever cancels a task whose time limit passes (the pool's scheduler). */
export interface TaskCanceller {
  cancel(task: Task, reason: unknown): void;
}

/** Marks `task` settled and stops its timer and abort listener; the caller then resolves or rejects it. */
export function finishTask(task: Task): void {
  task.settled = true;
  if (task.timer !== undefined) clearTimeout(task.timer);
  task.offAbort?.();
}

/** Rejects `task` with `error`, unless it already settled. */
export function failTask(task: Task, error: unknown): void {
  if (task.settled) return;
  finishTask(task);
  task.reject(error);
}

/**
 * Enforces `task`'s time limit, counted from when it starts on `worker`, which it was just sent to
 * (alone: solo). It may start late: the worker may still be booting, or busy with code an earlier task
 * left running (a timer's callback). So when the limit has passed since the send, the timer reads the
 * task's start from the worker (see STARTED_AT in protocol.ts): started, it waits for the rest of the
 * limit; not started yet, it looks again later. Past the limit, `canceller` cancels the task with a
 * TimeoutError.
 *
 * The wait to start is capped, or a worker that never returns from such code (`for (;;);` in a timer)
 * would keep the task pending for ever: a task not started twice its limit after it was sent (after
 * the worker came up, for a new one) is cancelled with a TimeoutError too, which retires the worker
 * (see `PoolScheduler.cancel`). A new worker's boot does not count, up to {@link BOOT_GRACE_MS}: one
 * that has not come up by then (a module preloaded into every worker, `--require`, that never
 * returns) never will, and the task is cancelled too. Only a task with a time limit has its start
 * recorded (a clock read on the worker).
 */
export function startTaskTimer(task: Task, worker: PoolWorker, canceller: TaskCanceller): void {
  const limit = task.timeoutMs;
  const sentAt = wallClock();
  const check = () => {
    task.timer = undefined;
    if (task.settled) return;
    const startedAt = worker.startedAt(task.id);
    if (startedAt !== undefined) {
      const left = limit - (wallClock() - startedAt);
      if (left > 0) return arm(left);
      return canceller.cancel(task, new TimeoutError(`Task did not finish within ${limit} ms of starting`));
    }
    // Not running. A timed task that started after the send was this one or one sent after it (tasks
    // run in order; a solo task is never taken back): it finished, its result is on the way.
    if (worker.lastTimedStart() >= sentAt) return arm(limit);
    // Not started. A new worker's boot does not count against the wait, unless it never ends.
    const readyAt = worker.readyAt;
    const cap = readyAt === undefined ? Math.max(2 * limit, BOOT_GRACE_MS) : 2 * limit;
    const waited = wallClock() - (readyAt === undefined ? sentAt : Math.max(sentAt, readyAt));
    // A start before the next look leaves at least the rest of the limit to run, which that look waits for.
    if (waited < cap) return arm(Math.min(limit, cap - waited));
    canceller.cancel(task, new TimeoutError(`Task did not start within ${cap} ms ${notStartedWhy(worker)}`));
  };
  const arm = (ms: number) => {
    task.timer = setTimeout(check, ms);
  };
  arm(limit);
}

/** The rest of the message of a task that did not start in time: why, as far as the pool can tell. */
function notStartedWhy(worker: PoolWorker): string {
  if (worker.readyAt === undefined) {
    return (
      'of being sent: its new worker has not come up (code that runs before it does, such as a ' +
      'preload module (`--require`, `--import`) in the process flags or NODE_OPTIONS, does not return)'
    );
  }
  // Up, and idle when the task was sent (a solo task goes to an idle worker): only code that an
  // earlier task left behind keeps it from the task.
  return (
    '(twice its timeoutMs) of being sent: its worker is still busy with code an earlier task left ' +
    'running (a timer or callback that does not return)'
  );
}
