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
 * Starts `task`'s time limit when it starts: it was sent alone (solo) to `worker`, so it starts as
 * soon as the worker is online. When the limit passes, `canceller` cancels it with a TimeoutError.
 */
export function startTaskTimer(task: Task, worker: PoolWorker, canceller: TaskCanceller): void {
  const arm = () => {
    if (task.settled) return;
    task.timer = setTimeout(() => {
      canceller.cancel(task, new TimeoutError(`Task did not finish within ${task.timeoutMs} ms of starting`));
    }, task.timeoutMs);
  };
  if (worker.online) arm();
  else worker.worker.once('online', arm);
}
