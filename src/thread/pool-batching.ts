// How a ThreadPool shares queued tasks among its workers: how many go to one worker in one message,
// which busy worker may be sent more before it finishes what it holds (pipelining), and which tasks
// a worker that ran out of work takes over from a busy one (stealing).
//
// Batches and pipelining keep tiny tasks flowing, but a task sent ahead may wait behind a long one.
// Tasks go to a busy worker only when no worker is idle and the pool is at its size; when a worker
// then runs out of work and the queue is empty, it takes over half of the tasks another worker
// holds and has not started (see "Claims" in protocol.ts). So no task waits behind another while
// a worker is free: two tasks that wait for each other (at a Barrier) never deadlock on one worker,
// and long tasks spread over the workers whoever they were first sent to.
import type { PoolWorker, Task } from './pool-worker.js';
import type { TaskQueue } from './task-queue.js';

/** Most tasks sent to one worker in one message: amortizes messaging without starving other workers. */
const MAX_BATCH = 64;
/** Most tasks a worker holds: the batch it runs and the next one, so it never idles between them. */
const PIPELINE_DEPTH = 2 * MAX_BATCH;
/**
 * Most tasks one `map()` keeps submitted and unsettled, per worker: twice what a worker's pipeline
 * holds, so that every pipeline stays full while results stream back, and a lazy iterable is not
 * read far ahead of the work.
 */
export const MAP_AHEAD_PER_WORKER = 2 * PIPELINE_DEPTH;
/** A worker gets a batch before finishing its current one only if it reported results this recently. */
const PIPELINE_WINDOW_MS = 2;

/**
 * Whether `task` may only go first in a batch to an idle worker, so that it starts as soon as it is
 * sent: a solo task (one with a signal or a time limit), so that when it starts is known.
 */
function leads(task: Task): boolean {
  return task.solo;
}

/**
 * Takes the next batch for `worker` off the queue (which holds at least one task): its fair share of
 * the queue among `size` workers, at most {@link MAX_BATCH} and what fits in its pipeline. A task
 * that {@link leads} is either the first of its batch or left for the next one; a solo task also
 * goes alone.
 */
export function takeBatch(queue: TaskQueue, worker: PoolWorker, size: number): Task[] {
  const room = PIPELINE_DEPTH - worker.inflight.size;
  const share = Math.min(MAX_BATCH, room, Math.ceil(queue.size / size));
  const batch: Task[] = [];
  while (batch.length < share && queue.size > 0) {
    if (batch.length > 0 && leads(queue.peek()!)) break;
    const task = queue.shift()!;
    batch.push(task);
    if (task.solo) break;
  }
  return batch;
}

/**
 * Takes back, for `thief` (a worker with nothing to run, while the queue is empty), the later half
 * (rounded up) of the tasks not started by the worker that holds the most of them; returns them in
 * run order (none if no worker holds any). A worker holding a single task is left alone: it runs
 * it or is about to. So the worker taken from keeps a task (of n ≥ 2 held, at most n - 1 are taken)
 * and still reports, and then runs out of work in turn: no worker is left busy with nothing to run.
 */
export function steal(thief: PoolWorker, workers: Iterable<PoolWorker>): Task[] {
  let victim: PoolWorker | undefined;
  let waiting: Task[] = [];
  for (const w of workers) {
    if (w === thief || w.inflight.size < 2) continue;
    const unstarted = w.unstarted();
    if (unstarted.length > waiting.length) [victim, waiting] = [w, unstarted];
  }
  const stolen: Task[] = [];
  // The worker starts its tasks in order: those at the end are the last it would come to.
  for (let i = waiting.length >> 1; i < waiting.length; i++) {
    if (victim!.takeBack(waiting[i]!)) stolen.push(waiting[i]!);
  }
  return stolen;
}

/** Whether {@link steal} would find tasks to take over from one of `workers` (it may still race a start). */
export function stealable(workers: Iterable<PoolWorker>): boolean {
  for (const w of workers) if (w.inflight.size >= 2 && w.unstarted().length > 0) return true;
  return false;
}

/**
 * The least loaded worker still streaming results (it reported within {@link PIPELINE_WINDOW_MS}) with
 * room for another batch, if any, and if `next` (the first queued task) may wait behind others (see
 * {@link leads}). A worker that is not reporting (a long task) gets nothing more, so that tasks
 * rarely queue behind it; those that do are taken back when another worker runs out of work.
 */
export function pipelineTarget(workers: Iterable<PoolWorker>, next: Task): PoolWorker | undefined {
  if (leads(next)) return undefined;
  const now = performance.now();
  let best: PoolWorker | undefined;
  for (const w of workers) {
    // A worker whose cancelled task is stopping may be terminated: what it would be sent waits for that.
    if (
      w.freeing ||
      w.inflight.size + MAX_BATCH > PIPELINE_DEPTH ||
      now - w.lastResultAt > PIPELINE_WINDOW_MS
    )
      continue;
    if (best === undefined || w.inflight.size < best.inflight.size) best = w;
  }
  return best;
}
