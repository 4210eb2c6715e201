// How a ThreadPool shares queued tasks among its workers: how many go to one worker in one message,
// and which busy worker may be sent more before it finishes what it holds (pipelining).
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
 * Takes the next batch for `worker` off the queue (which holds at least one task): its fair share of
 * the queue among `size` workers, at most {@link MAX_BATCH} and what fits in its pipeline. A solo task
 * (one with a signal or a time limit) goes alone, so that when it starts is known: it is either the
 * only task of its batch or left for the next one.
 */
export function takeBatch(queue: TaskQueue, worker: PoolWorker, size: number): Task[] {
  const room = PIPELINE_DEPTH - worker.inflight.size;
  const share = Math.min(MAX_BATCH, room, Math.ceil(queue.size / size));
  const batch: Task[] = [];
  while (batch.length < share && queue.size > 0) {
    if (batch.length > 0 && queue.peek()!.solo) break;
    const task = queue.shift()!;
    batch.push(task);
    if (task.solo) break;
  }
  return batch;
}

/**
 * The least loaded worker still streaming results (it reported within {@link PIPELINE_WINDOW_MS}) with
 * room for another batch, if any. A worker that is not reporting (a long task) gets nothing more, so
 * no task queues behind it.
 */
export function pipelineTarget(workers: Iterable<PoolWorker>): PoolWorker | undefined {
  const now = performance.now();
  let best: PoolWorker | undefined;
  for (const w of workers) {
    if (w.inflight.size + MAX_BATCH > PIPELINE_DEPTH || now - w.lastResultAt > PIPELINE_WINDOW_MS) continue;
    if (best === undefined || w.inflight.size < best.inflight.size) best = w;
  }
  return best;
}
