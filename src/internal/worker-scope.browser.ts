// Browser build of worker-scope.ts: inside a module Web Worker started by worker-host.browser.ts.
// The first message carries workerData; 'online' and 'exit' are reported with control messages.

/** Key of the first message, which carries workerData (see worker-host.browser.ts). */
const INIT = '__threadkitInit';
/** Key of control messages to the creator. */
const CONTROL = '__threadkit';

interface WorkerScope {
  postMessage(message: unknown, transfer?: readonly unknown[]): void;
  addEventListener(type: 'message', fn: (event: { data: unknown }) => void): void;
  close(): void;
}
const scope = globalThis as unknown as WorkerScope;

const messageListeners: ((value: never) => void)[] = [];
const exitHooks: ((code: number) => void)[] = [];
let received = false;
let data: unknown;
let onData: ((data: unknown) => void) | undefined;

scope.addEventListener('message', ({ data: message }) => {
  if (!received && message !== null && typeof message === 'object' && INIT in message) {
    received = true;
    data = (message as Record<string, unknown>)[INIT];
    scope.postMessage({ [CONTROL]: 'online' });
    onData?.(data);
    return;
  }
  for (const fn of messageListeners) fn(message as never);
});

/** The port to the creating thread: `on('message', fn)` and `postMessage(value, transfer)`. */
export const parentPort = {
  on(_event: 'message', fn: (value: never) => void): void {
    messageListeners.push(fn);
  },
  postMessage(message: unknown, transfer?: readonly unknown[]): void {
    scope.postMessage(message, transfer ?? []);
  },
};

/** Web Workers cannot take a message synchronously: the event loop delivers each one. */
export const receiveMessage: (() => { message: unknown } | undefined) | undefined = undefined;

/** Calls `fn` with the data the creator passed, once its first message has arrived. */
export function onWorkerData(fn: (data: unknown) => void): void {
  if (received) fn(data);
  else onData = fn;
}

/** Runs `fn` with the exit code when this thread ends through {@link exitSoon}. */
export function onThreadExit(fn: (code: number) => void): void {
  exitHooks.push(fn);
}

/** Ends this thread after the current task: runs the exit hooks, tells the creator, closes. */
export function exitSoon(code: number): void {
  setTimeout(() => {
    for (const hook of exitHooks) hook(code);
    scope.postMessage({ [CONTROL]: 'exit', code });
    scope.close();
  }, 0);
}
