// The one place that knows which runtime we are on: thread identity and whether this thread may block.
// Every primitive asks here instead of importing worker_threads itself.
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { isMainThread as nodeIsMainThread, threadId as nodeThreadId } from 'node:worker_threads';

/** The runtime's id of the current thread: 0 on the main thread, a positive integer in a worker. */
export const threadId: number = nodeThreadId;

/** Whether this is the process's main thread. */
export const isMainThread: boolean = nodeIsMainThread;

let blockingAllowed: boolean | undefined;

/**
 * Whether `Atomics.wait` may be called on this thread. Node allows it everywhere; browsers forbid it
 * on the main thread. Probed once with a zero-timeout wait on a private buffer.
 */
export function canBlock(): boolean {
  if (blockingAllowed === undefined) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      blockingAllowed = true;
    } catch {
      blockingAllowed = false;
    }
  }
  return blockingAllowed;
}

/** How many threads can run in parallel here (the default size of a ThreadPool). */
export const cpuCount: () => number = availableParallelism;

/** A monotonic clock in milliseconds. */
export const now: () => number = () => performance.now();

/** The file URL of a path (a stack frame's file name). */
export const toFileUrl = (path: string): string => pathToFileURL(path).href;

/** Lets a timer not keep the process alive (Node); browsers' timers never do, and have no unref(). */
export function unrefTimer(timer: ReturnType<typeof setTimeout>): void {
  (timer as { unref?: () => void }).unref?.();
}

/**
 * Reports a warning the runtime's way: `process.emitWarning` (Node, Bun, Deno), which prints it to
 * stderr (unless warnings are silenced) and emits `process.on('warning')`; `console.error` where
 * there is no `process` (a Deno program without Node compatibility).
 */
export function emitWarning(warning: Error): void {
  const proc = (globalThis as { process?: { emitWarning?: (warning: Error) => void } }).process;
  if (typeof proc?.emitWarning === 'function') proc.emitWarning(warning);
  else console.error(`${warning.name}: ${warning.message}`);
}
