// ThreadPool.map: feeds the items to the pool as it has room, instead of submitting them all at once.
// Items are taken from the iterable lazily, one task each; at most a window of them is submitted and
// unsettled at a time (enough to keep every worker's pipeline full), and never past `maxQueue`: map
// waits for room where run() would reject with QueueFullError. Results are stored in input order.
// The first failure (a task's error, the iterable's, the signal's reason) rejects at once: no further
// item is taken, the map's tasks still queued are removed, and those already with a worker finish
// unobserved (their outcomes are dropped, so none is ever an unhandled rejection).
import { onAbort } from '../internal/abort-listeners.js';
import type { PoolScheduler } from './pool-scheduler.js';
import type { Task } from './pool-worker.js';

/** What a map needs from its pool. */
export interface MapFeed<T> {
  readonly scheduler: PoolScheduler;
  readonly items: Iterator<T>;
  /** Aborting rejects the map with the signal's reason (the tasks, which carry it too, are cancelled). */
  readonly signal: AbortSignal | undefined;
  /** Most tasks submitted and not yet settled. */
  readonly window: number;
  /** Builds the task of item number `index`, which reports its outcome to the two callbacks. */
  task(item: T, index: number, resolve: (value: unknown) => void, reject: (error: unknown) => void): Task;
  /** Submits a built task; throws if the pool can take no more (destroyed). */
  submit(task: Task): void;
}

/** Runs every item of `feed` as a task; resolves with their results, in order. */
export async function feedMap<T>(feed: MapFeed<T>): Promise<unknown[]> {
  const { scheduler, items, signal, window } = feed;
  const results: unknown[] = [];
  /** The map's tasks submitted and not yet settled. */
  const pending = new Set<Task>();
  let failure: { error: unknown } | undefined;
  /** Resolves the loop's current wait, if it waits: on a settled task, a failure, or room in the pool. */
  let wake: (() => void) | undefined;
  const wakeUp = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  const fail = (error: unknown) => {
    failure ??= { error };
    wakeUp();
  };
  // At most one registration with the scheduler at a time: a wake-up by a settling task leaves the
  // earlier one registered, and registering again would pile up duplicates (and keep this map alive).
  let roomAsked = false;
  const roomFreed = () => {
    roomAsked = false;
    wakeUp();
  };
  const offAbort = signal && onAbort(signal, () => fail(signal.reason));
  scheduler.hold(); // close() waits for the items not yet submitted too
  /** Whether the iterator is still open: it neither finished nor threw. */
  let iterating = true;
  try {
    for (let index = 0; ; index++) {
      while (failure === undefined && (pending.size >= window || !scheduler.hasRoom())) {
        const woken = new Promise<void>((resolve) => (wake = resolve));
        if (pending.size < window && !roomAsked) {
          roomAsked = true;
          scheduler.whenRoom(roomFreed);
        }
        await woken;
      }
      if (failure !== undefined) break;
      iterating = false;
      const next = items.next();
      if (next.done === true) break;
      iterating = true;
      const task = feed.task(
        next.value,
        index,
        (value) => {
          pending.delete(task);
          results[index] = value;
          wakeUp();
        },
        (error) => {
          pending.delete(task);
          fail(error);
        },
      );
      pending.add(task);
      feed.submit(task);
    }
    while (failure === undefined && pending.size > 0) await new Promise<void>((resolve) => (wake = resolve));
  } catch (error) {
    fail(error); // the iterable threw, or a task could not be built or submitted
  } finally {
    offAbort?.();
    scheduler.release();
  }
  if (failure === undefined) return results;
  // Stop: close the iterable, as a `for...of` loop left early does, and withdraw the queued tasks.
  if (iterating) {
    try {
      items.return?.();
    } catch {
      // the map already fails with the first error
    }
  }
  for (const task of pending) if (task.holder === undefined) scheduler.cancel(task, failure.error);
  throw failure.error;
}
