// Inside a thread started through worker-host: the data its creator passed, the port to its creator,
// and how the thread ends. Node's worker_threads here; worker-scope.browser.ts for Web Workers.
import {
  MessagePort,
  parentPort as nodeParentPort,
  receiveMessageOnPort,
  workerData,
} from 'node:worker_threads';

/** The port to the creating thread: `on('message', fn)` and `postMessage(value, transfer)`. */
export const parentPort = nodeParentPort!;

/**
 * Takes the next message from the creator synchronously, if one is queued (bypassing the 'message'
 * event). Undefined where the runtime cannot: Web Workers, and Deno, whose `parentPort` is not a
 * `MessagePort` (a wrapper over the worker's global scope) and whose `receiveMessageOnPort` throws
 * a TypeError for it. There the event loop delivers each message.
 */
export const receiveMessage: (() => { message: unknown } | undefined) | undefined =
  parentPort instanceof MessagePort ? () => receiveMessageOnPort(parentPort) : undefined;

/** Calls `fn` with the data the creator passed: at once on Node (a Web Worker receives it later). */
export function onWorkerData(fn: (data: unknown) => void): void {
  fn(workerData);
}

/** Runs `fn` with the exit code when this thread ends (also on `process.exit()` from user code). */
export function onThreadExit(fn: (code: number) => void): void {
  process.on('exit', fn);
}

/** Ends this thread once the current task is done (leftover timers do not keep it alive). */
export function exitSoon(code: number): void {
  setImmediate(() => process.exit(code));
}
