// Settling a ThreadPool task: the bookkeeping done once, whichever way it ends (result, error,
// cancellation, time limit, worker exit), and the timer that enforces its `timeoutMs`.
import { TimeoutError } from '../errors.js';
import type { PoolWorker, Task } from './pool-worker.js';

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
 * task's start from the worker (see STARTED_AT in protocol.ts): not started yet, it looks again a limit
 * later; started, it waits for the rest of the limit. Past it, `canceller` cancels the task with a
 * TimeoutError. Only a task with a time limit has its start recorded (a clock read on the worker).
 */
export function startTaskTimer(task: Task, worker: PoolWorker, canceller: TaskCanceller): void {
  const check = () => {
    task.timer = undefined;
    if (task.settled) return;
    const startedAt = worker.startedAt(task.id);
    // Not started (or just finished, its result on the way): a start before the next look leaves at
    // least the rest of the limit to run, which that look then waits for.
    if (startedAt === undefined) return arm(task.timeoutMs);
    const left = task.timeoutMs - (performance.timeOrigin + performance.now() - startedAt);
    if (left > 0) return arm(left);
    canceller.cancel(task, new TimeoutError(`Task did not finish within ${task.timeoutMs} ms of starting`));
  };
  const arm = (ms: number) => {
    task.timer = setTimeout(check, ms);
  };
  arm(task.timeoutMs);
}
