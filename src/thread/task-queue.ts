// The ThreadPool's queue of tasks not yet dispatched: FIFO, with O(1) removal of a cancelled task
// (its slot becomes a hole that is skipped) and re-queueing at the front after a worker died.
import type { Task } from './pool-worker.js';

/** Tasks waiting for a worker, in submission order. */
export class TaskQueue {
  /** Slots from `#head` on; `undefined` marks a removed (cancelled) task. */
  #slots: (Task | undefined)[] = [];
  #head = 0;
  /** Live tasks: slots from `#head` on that are not holes. */
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(task: Task): void {
    this.#slots.push(task);
    this.#size++;
  }

  /** The first live task, left in place. */
  peek(): Task | undefined {
    this.#skipHoles();
    return this.#slots[this.#head];
  }

  /** Removes and returns the first live task. */
  shift(): Task | undefined {
    this.#skipHoles();
    const task = this.#slots[this.#head];
    if (task === undefined) return undefined;
    this.#slots[this.#head++] = undefined;
    this.#size--;
    if (this.#head === this.#slots.length) {
      this.#slots = [];
      this.#head = 0;
    }
    return task;
  }

  /** Removes a queued task (cancelled); whether it was queued. */
  remove(task: Task): boolean {
    const i = this.#slots.indexOf(task, this.#head);
    if (i === -1) return false;
    this.#slots[i] = undefined;
    this.#size--;
    return true;
  }

  /** Puts tasks back at the front, in the given order. */
  unshift(tasks: readonly Task[]): void {
    this.#slots.splice(this.#head, 0, ...tasks);
    this.#size += tasks.length;
  }

  /** Empties the queue, returning the live tasks. */
  clear(): Task[] {
    const live = this.#slots.slice(this.#head).filter((t): t is Task => t !== undefined);
    this.#slots = [];
    this.#head = 0;
    this.#size = 0;
    return live;
  }

  #skipHoles(): void {
    while (this.#head < this.#slots.length && this.#slots[this.#head] === undefined) this.#head++;
  }
}
