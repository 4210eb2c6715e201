// Browser build of runtime.ts (swapped in by tsup.config.ts): thread identity on Web Workers. Same
// exports as the Node module; nothing here touches `node:` modules.
//
// Browsers give workers no thread id, yet a Mutex lock word records its owner's id, so every agent
// (the page and each worker) needs a distinct one:
//   - the main thread (a window) is 0, as in Node;
//   - a worker started by Thread or ThreadPool uses the id in its name ('threadkit:<id>');
//   - another worker uses the id its creator put on `globalThis[Symbol.for('threadkit.threadId')]` before
//     loading threadkit, when present (deterministic, for bootstraps that hand out ids);
//   - otherwise a random id in [1, 2^27): with W workers on one page, two share an id with a
//     probability of about W² / 2^28 (1 in 2 million for 16 workers).

/** Where a worker's creator may put the worker's id before threadkit loads. */
const THREAD_ID = Symbol.for('threadkit.threadId');

/** Largest id: the Mutex lock word has 28 owner bits and stores id + 1. */
const MAX_ID = 2 ** 27;

/** Whether this code runs on a page's main thread (a window), not in a worker. */
export const isMainThread: boolean = typeof (globalThis as { window?: unknown }).window !== 'undefined';

function workerId(): number {
  // A worker started by Thread/ThreadPool is named 'threadkit:<id>' (see worker-host.browser.ts).
  const named = /^threadkit:(\d+)$/.exec((globalThis as { name?: string }).name ?? '');
  if (named) return Number(named[1]);
  const given = (globalThis as { [THREAD_ID]?: unknown })[THREAD_ID];
  if (Number.isInteger(given) && (given as number) > 0 && (given as number) < MAX_ID) return given as number;
  const random = new Uint32Array(1);
  crypto.getRandomValues(random);
  return 1 + ((random[0] ?? 0) % (MAX_ID - 1));
}

/** This thread's id: 0 on the main thread, a positive integer in a worker (see above). */
export const threadId: number = isMainThread ? 0 : workerId();

let blockingAllowed: boolean | undefined;

/**
 * Whether `Atomics.wait` may be called on this thread: browsers forbid it on the main thread and allow
 * it in workers. Probed once with a zero-timeout wait on a private buffer.
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
export const cpuCount = (): number =>
  (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 4;

/** A monotonic clock in milliseconds. */
export const now: () => number = () => performance.now();

/** The URL of a stack frame's file name: browsers already give URLs; a bare path is taken as same-origin. */
export const toFileUrl = (path: string): string =>
  new URL(path, (globalThis as { location?: { href: string } }).location?.href).href;

/** Lets a timer not keep the process alive (Node); browsers' timers never do, and have no unref(). */
export function unrefTimer(timer: ReturnType<typeof setTimeout>): void {
  (timer as { unref?: () => void }).unref?.();
}

/** Reports a warning the browser's way: on the console, as an error. */
export function emitWarning(warning: Error): void {
  console.error(`${warning.name}: ${warning.message}`);
}
