// The process-wide registry of threads that died, so that a lock whose owner died can be taken over
// instead of hanging its waiters (see Mutex's "dead owners"). It is one SharedArrayBuffer: the main
// thread creates it, and every threadkit thread receives it at startup (Thread and ThreadPool pass it in
// workerData) and adopts it, so all of them see the same memory.
//
// A thread is marked dead by the thread that created it, when its worker's 'exit' event fires (this
// covers terminate(), crashes and out-of-memory kills), and by the dying thread itself from its
// process 'exit' handler (process.exit(), an uncaught error, the end of its target), which also works
// while the parent is blocked.
//
// Layout: SLOTS Int32 slots; a dead thread id `id` is stored in slot `id % SLOTS`. Thread ids are never
// reused in a process, so a slot holding `id` means `id` died: no false positives. A slot is overwritten
// when a later thread with the same remainder dies, so a lock left by a dead thread is recognised as
// long as fewer than SLOTS threads died after it (false negatives only, after 16 384 deaths).

/**
 * A lock waiter parked in `Atomics.wait` wakes at least this often (ms) to check whether the lock's
 * owner died: nothing wakes it when that happens. Shared by everything with dead-owner recovery
 * (Mutex, RwLock, robust Semaphore, and Once, whose waiters check its running thread).
 */
export const OWNER_CHECK_MS = 25;

/** Slots of the registry: how many deaths back a dead owner is still recognised. */
export const DEAD_THREAD_SLOTS = 16_384;

const KEY = Symbol.for('threadkit.deadThreads');
type Holder = { [KEY]?: Int32Array };

function registry(): Int32Array {
  const g = globalThis as Holder;
  return (g[KEY] ??= new Int32Array(new SharedArrayBuffer(DEAD_THREAD_SLOTS * 4)));
}

/** The registry's memory, to pass to a new thread (which calls {@link adoptDeadThreads}). */
export function deadThreadsBuffer(): SharedArrayBuffer {
  return registry().buffer as SharedArrayBuffer;
}

/** In a new threadkit thread, before anything else: share the parent's registry. */
export function adoptDeadThreads(buffer: unknown): void {
  if (buffer instanceof SharedArrayBuffer && buffer.byteLength === DEAD_THREAD_SLOTS * 4) {
    (globalThis as Holder)[KEY] = new Int32Array(buffer);
  }
}

/** Records that the thread with runtime id `threadId` has died (or is about to, irrevocably). */
export function markThreadDead(threadId: number): void {
  if (threadId > 0) Atomics.store(registry(), threadId % DEAD_THREAD_SLOTS, threadId);
}

/** Whether the thread with runtime id `threadId` is known to have died. The main thread never is. */
export function isThreadDead(threadId: number): boolean {
  return threadId > 0 && Atomics.load(registry(), threadId % DEAD_THREAD_SLOTS) === threadId;
}
