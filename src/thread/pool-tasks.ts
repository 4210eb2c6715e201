// Settling a ThreadPool task: the bookkeeping done once, whichever way it ends (result, error,
// cancellation, time limit, worker exit), and the timer that enforces its `timeoutMs`.
import { TimeoutError } from '../errors.js';
import type { PoolWorker, Task } from './pool-worker.js';
import { wallClock } from './protocol.js';

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
 * (alone: solo). It may start late: the worker may still be starting up, or busy with code an earlier
 * task left running (a timer's callback). So when the limit has passed since the send, the timer reads
 * the task's start from the worker (see STARTED_AT in protocol.ts): started, it waits for the rest of
 * the limit; not started yet, it looks again later. Past the limit, `canceller` cancels the task with
 * a TimeoutError.
 *
 * The wait to start is capped, or a worker that never returns from such code (`for (;;);` in a timer)
 * would keep the task pending for ever: a task not started twice its limit after it was sent (after
 * the worker came up, for a new one) is cancelled with a TimeoutError too, which retires the worker
 * (see `PoolScheduler.cancel`). A new worker's startup does not count: the pool's `startupTimeoutMs`
 * bounds it, for every task (see `PoolScheduler.onStartupTimeout`). Only a task with a time limit has
 * its start recorded (a clock read on the worker).
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
    // Not started. A new worker's startup does not count (startupTimeoutMs bounds it).
    const readyAt = worker.readyAt;
    if (readyAt === undefined) return arm(limit);
    const cap = 2 * limit;
    const waited = wallClock() - Math.max(sentAt, readyAt);
    // A start before the next look leaves at least the rest of the limit to run, which that look waits for.
    if (waited < cap) return arm(Math.min(limit, cap - waited));
    canceller.cancel(
      task,
      new TimeoutError(
        `Task did not start within ${cap} ms (twice its timeoutMs) of being sent: its worker is still ` +
          'busy with code an earlier task left running (a timer or callback that does not return)',
      ),
    );
  };
  const arm = (ms: number) => {
    task.timer = setTimeout(check, ms);
  };
  arm(limit);
}
