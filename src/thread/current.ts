// Who is running: the thread's name (set by the worker bootstrap) and the pool task in progress.
// Both live on globalThis under registered symbols, so the ESM and CJS builds of threadkit loaded in
// the same worker agree.
import { createContextStorage, type ContextStorage } from '../internal/async-context.js';
import { isMainThread, threadId } from '../internal/runtime.js';

const NAME = Symbol.for('threadkit.thread.name');
const TASK = Symbol.for('threadkit.thread.task');

type Globals = { [NAME]?: string; [TASK]?: ContextStorage<TaskState> };

/** What runs on a worker for one task; `controller` is created on first access of the signal. */
export interface TaskState {
  readonly id: number;
  controller: AbortController | undefined;
  abortedWith?: { reason: unknown };
}

/** Sets this thread's name (worker bootstrap only). */
export function setThreadName(name: string): void {
  (globalThis as Globals)[NAME] = name;
}

/** The storage of the running task (created by the worker bootstrap). */
export function taskStorage(): ContextStorage<TaskState> {
  return ((globalThis as Globals)[TASK] ??= createContextStorage<TaskState>());
}

/**
 * Identity of the calling thread, as returned by {@link currentThread}.
 *
 * @example
 * ```ts
 * import { currentThread, type ThreadInfo } from 'threadkit/thread';
 * const me: ThreadInfo = currentThread();
 * console.log(me.name, me.threadId, me.isMainThread); // MainThread 0 true
 * ```
 */
export interface ThreadInfo {
  /** `'MainThread'` on the main thread, the Thread's `name` inside one, `'Worker-<id>'` in other workers. */
  readonly name: string;
  /** The runtime's thread id: 0 on the main thread. */
  readonly threadId: number;
  /** Whether this is the process's main thread. */
  readonly isMainThread: boolean;
}

/**
 * Returns the calling thread's name and id, like Python's `threading.current_thread()`.
 *
 * @returns `{ name, threadId, isMainThread }`; the name is `'MainThread'` on the main thread and the
 *   Thread's `name` inside a {@link Thread} (pool workers are named `'ThreadPool-<n>-<k>'`).
 * @example
 * ```ts
 * import { currentThread, spawn } from 'threadkit/thread';
 * console.log(currentThread().name); // 'MainThread'
 * const t = spawn(async () => (await import('threadkit/thread')).currentThread().name);
 * console.log(await t.join()); // 'Thread-1'
 * ```
 */
export function currentThread(): ThreadInfo {
  const name = isMainThread ? 'MainThread' : ((globalThis as Globals)[NAME] ?? `Worker-${threadId}`);
  return { name, threadId, isMainThread };
}

/**
 * The running {@link ThreadPool} task, as returned by {@link currentTask}.
 *
 * @example
 * ```ts
 * import { ThreadPool } from 'threadkit/thread';
 * await using pool = new ThreadPool();
 * const work = pool.run(async () => {
 *   const { currentTask } = await import('threadkit/thread');
 *   const { signal } = currentTask()!;
 *   await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
 *   // ... clean up and stop ...
 * }, { timeoutMs: 50 });
 * await work.catch((err: Error) => console.log(err.name)); // 'TimeoutError'
 * ```
 */
export interface TaskInfo {
  /**
   * Aborted when the task's `signal` aborts or its `timeoutMs` passes, with the same reason. Check it
   * (or listen to it) to stop early; a task that has not settled 100 ms after is stopped by
   * terminating its worker. The abort arrives through the worker's event loop: a synchronous loop
   * never sees it, so CPU-bound work must yield (`await` a timer, such as `setImmediate`) between
   * slices to notice it.
   */
  readonly signal: AbortSignal;
}

/**
 * Returns the pool task running on the calling thread, or `undefined` outside one. This is how a task
 * cooperates with cancellation: its {@link TaskInfo.signal} aborts when the caller's `signal` aborts or
 * the task's `timeoutMs` passes.
 *
 * Inside a {@link Thread} it returns `undefined` too: a thread has no cooperative stop to signal, as
 * `terminate()` and the thread's own `signal` stop it at once. A thread that should stop by itself
 * takes what tells it to in its `args` (an `Event` from `threadkit/event`, a shared flag) and checks it.
 *
 * @example
 * ```ts
 * import { ThreadPool } from 'threadkit/thread';
 * await using pool = new ThreadPool();
 * const work = pool.run(async () => {
 *   const { currentTask } = await import('threadkit/thread');
 *   const signal = currentTask()!.signal;
 *   while (!signal.aborted) await new Promise((r) => setTimeout(r, 10));
 *   return 'stopped';
 * }, { timeoutMs: 100 });
 * await work.catch((err: Error) => console.log(err.name)); // 'TimeoutError'
 * ```
 */
export function currentTask(): TaskInfo | undefined {
  const state = (globalThis as Globals)[TASK]?.getStore();
  if (!state) return undefined;
  return {
    get signal() {
      if (!state.controller) {
        state.controller = new AbortController();
        if (state.abortedWith) state.controller.abort(state.abortedWith.reason);
      }
      return state.controller.signal;
    },
  };
}
