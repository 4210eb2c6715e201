// A ThreadPool worker that fails: one that stops while it holds tasks (a crash, process.exit() in a
// task, running out of memory, terminated by the pool), and one the runtime cannot create. What
// becomes of the tasks it held, or that waited for it: which fail, with what message, and which go to
// another worker. The scheduler (pool-scheduler.ts) keeps its counts and queue in step.
import { ThreadExitError, TimeoutError } from '../errors.js';
import { failTask } from './pool-tasks.js';
import type { PoolWorker, Task } from './pool-worker.js';
import type { PoolWorkers } from './pool-workers.js';
import type { TaskQueue } from './task-queue.js';

/** Why a task not started fails, instead of going to another worker, when its worker stops. */
const LOST_TRANSFER =
  'before starting this task, which cannot go to another worker: the objects it transferred were lost with this one';

/** Node 20's exit code for a thread whose module loading ended on a top-level await that never settled. */
const UNSETTLED_TOP_LEVEL_AWAIT = 13;
/**
 * Why a worker exits before it comes up, by exit code: its own modules do not wait on anything. Node 20
 * ends a thread whose preload awaits for ever with code 13; Node 22 and later end it with code 0, which
 * a preload that exits the thread gives too.
 */
function notUpWhy(code: number): string {
  const preload =
    'a module it loaded before it came up, such as one preloaded with `--import` in the process flags or NODE_OPTIONS,';
  if (code === UNSETTLED_TOP_LEVEL_AWAIT) {
    return `: ${preload} awaits at its top level a promise that never settles (exit code 13)`;
  }
  return code === 0
    ? `: ${preload} awaits at its top level a promise that never settles, or ends the thread`
    : '';
}

/**
 * Starts a worker, if the runtime can: `new Worker()` throws when it cannot create a thread (none
 * left, a stack it cannot give: ERR_WORKER_INIT_FAILED). With no worker at all, nothing would ever
 * run the queued tasks: they fail with that error, as `Thread.start()` throws it, and `queue` is left
 * empty. With other workers, the tasks wait for them.
 */
export function spawnOrFail(workers: PoolWorkers, queue: TaskQueue): PoolWorker | undefined {
  try {
    return workers.spawn();
  } catch (err) {
    if (workers.all.size === 0) for (const task of queue.clear()) failTask(task, err);
    return undefined;
  }
}

/**
 * The error of a task sent to a worker that did not come up within `ms` (`startupTimeoutMs`), and
 * was terminated: it never started the task.
 */
export function startupTimeoutError(w: PoolWorker, ms: number): TimeoutError {
  return new TimeoutError(
    `Task did not start: its worker ${w.name} did not come up within ${ms} ms (startupTimeoutMs), and was ` +
      'terminated. Code that runs in every worker before it comes up does not return (a module ' +
      'preloaded with `--import` or `--require` in the process flags or NODE_OPTIONS, say), or is ' +
      'slower than that: then raise startupTimeoutMs',
  );
}

/**
 * Settles the tasks a worker held when it stopped, empties its `inflight`, and returns those to queue
 * again, in order. Failing one with what killed the worker sets `w.lastErrorDelivered`. The one it was running fails with ThreadExitError; those it finished but had not
 * reported fail too (their results are lost); those not started go to another worker, unless the
 * worker never ran a task at all, or the task transferred objects (then they fail too).
 *
 * @param wasRetired - whether the pool had stopped using it (terminated it) before it exited
 */
export function tasksToRequeue(w: PoolWorker, code: number, wasRetired: boolean): Task[] {
  const running = w.running();
  const cause = w.lastError;
  // Died before it ran anything (it could not start: resourceLimits too small to boot, say): its
  // tasks fail. Queued again, they would start another worker that dies the same way, for ever.
  const neverRan = running === 0 && w.lastResultAt === 0;
  // What killed it (an uncaught error, running out of memory) belongs in the message, as for a Thread.
  const died =
    cause !== undefined
      ? `: ${String((cause as Error)?.message ?? cause)}`
      : neverRan && w.readyAt === undefined && !wasRetired // terminated before it was up: code 0 too
        ? notUpWhy(code)
        : '';
  const requeue: Task[] = [];
  let seenRunning = running === 0;
  for (const task of w.inflight.values()) {
    if (task.id === running) seenRunning = true;
    const notStarted = seenRunning && task.id !== running;
    // A task that transferred objects cannot go again: they were moved to this worker, and a new
    // one would get them detached (an ArrayBuffer of length 0), not the data.
    if (notStarted && !task.settled && !neverRan && task.transfer.length === 0) {
      task.holder = undefined;
      // Not started: its time limit counts from when it starts on the worker it goes to next.
      clearTimeout(task.timer);
      task.timer = undefined;
      requeue.push(task);
      continue;
    }
    if (task.settled) continue;
    const why =
      task.id === running
        ? 'while running this task'
        : !notStarted
          ? 'before reporting this finished task'
          : neverRan
            ? 'before starting this task'
            : LOST_TRANSFER;
    const message = `Pool worker ${wasRetired ? 'was stopped' : `exited with code ${code}`} ${why}${died}`;
    failTask(task, new ThreadExitError(code, message, cause === undefined ? undefined : { cause }));
    if (cause !== undefined) w.lastErrorDelivered = true;
  }
  w.inflight.clear();
  return requeue;
}
