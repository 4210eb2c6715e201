// The numbers in default names: 'Thread-1', 'Thread-2', ... and 'ThreadPool-1', ... (whose workers are
// 'ThreadPool-1-1', ...). As in Python, one counter per process: a thread started inside a thread does
// not get a second 'Thread-1'. The counters are two Int32 slots of a small SharedArrayBuffer that the
// main thread creates and every threadkit thread receives at startup (Thread and ThreadPool pass it in
// workerData, as they pass the dead-thread registry) and adopts before any user code runs, so the whole
// tree of threads draws from it; Atomics.add hands out each number once.
//
// The buffer is held on `globalThis` under a versioned symbol, as the other per-thread state
// (src/internal/diagnostics.ts): the ESM and CommonJS builds of the package can both be loaded into one
// thread, and module-level counters would give each build its own 'Thread-1'. It is looked up on every
// call, never cached, because a worker adopts its parent's buffer after this module has loaded. A worker
// that threadkit did not start (your own `new Worker`) has no parent's buffer and numbers from 1.

/** Slot of the last Thread number handed out. */
const THREADS = 0;
/** Slot of the last ThreadPool number handed out. */
const POOLS = 1;
const SLOTS = 2;

/** Versioned: v1 held plain per-thread numbers; a future layout change takes a new key. */
const COUNTERS_KEY = Symbol.for('threadkit.thread.names.v2');
type Holder = { [COUNTERS_KEY]?: Int32Array };

/** The counters of this thread's tree of threads, shared by every build of threadkit loaded into it. */
function counters(): Int32Array {
  const g = globalThis as Holder;
  // Without SharedArrayBuffer (a page that is not cross-origin isolated, where threads cannot run
  // anyway) the counters are this thread's own.
  return (g[COUNTERS_KEY] ??= new Int32Array(
    typeof SharedArrayBuffer === 'undefined' ? new ArrayBuffer(SLOTS * 4) : new SharedArrayBuffer(SLOTS * 4),
  ));
}

/** The counters' memory, to pass to a new thread (which calls {@link adoptNames}). */
export function namesBuffer(): SharedArrayBuffer {
  return counters().buffer as SharedArrayBuffer;
}

/** In a new threadkit thread, before anything else: number threads from the parent's counters. */
export function adoptNames(buffer: unknown): void {
  if (typeof SharedArrayBuffer !== 'undefined' && buffer instanceof SharedArrayBuffer) {
    if (buffer.byteLength === SLOTS * 4) (globalThis as Holder)[COUNTERS_KEY] = new Int32Array(buffer);
  }
}

/** The default name of the next Thread created anywhere in the process: 'Thread-<n>'. */
export const nextThreadName = (): string => `Thread-${Atomics.add(counters(), THREADS, 1) + 1}`;

/** The default name of the next ThreadPool created anywhere in the process: 'ThreadPool-<n>'. */
export const nextPoolName = (): string => `ThreadPool-${Atomics.add(counters(), POOLS, 1) + 1}`;
