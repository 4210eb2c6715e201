// A table, inside a primitive's shared memory, of what each thread holds of it: read locks of an
// RwLock, permits of a robust Semaphore. Counted holdings (unlike a Mutex's single owner) are invisible
// in the lock word, so without this table nobody could tell what a dead thread held, and its read locks
// or permits would be lost for good. With it, a waiter that finds an entry of a dead thread gives back
// what that thread held (see `reclaimDeadHolders`).
//
// Layout: HOLDER_ENTRIES pairs of Int32 slots [TID, COUNT] at `at` (an Int32 index):
//   TID    0: free; RECLAIMING: being emptied or recycled by another thread; otherwise the holder's
//          runtime thread id + 1.
//   COUNT  how many the holder holds now. Only the holder changes it while it lives (add on acquire,
//          sub on release), so a live thread's entry needs no CAS.
//
// An entry is claimed by its thread on the thread's first acquisition and kept while the thread lives
// (freeing it when the count drops to 0 would cost a CAS on every release); it is recycled once its
// thread is dead. A thread that finds no entry free holds untracked (`NO_ENTRY`): its holdings are not
// recovered if it dies. So recovery covers the first HOLDER_ENTRIES live threads that use the primitive.
//
// Ordering: a holder records after it acquires and unrecords before it releases, so the table never
// claims more than is held. A death between the two steps (a few instructions) leaks that one
// acquisition, as a Mutex owner dying between its CAS and anything else would.
//
// COUNT of a live entry is written with plain (non-atomic) stores: only its thread writes it, and the
// lock or permits it counts are taken and released with atomic operations on the primitive's own
// words, which order the count's writes for this thread. Another thread reads COUNT for real only
// after the holder is recorded dead (a sequentially consistent store, made after the thread stopped
// running or by the thread itself in its exit handler), and then takes it with Atomics.exchange. Two
// atomic read-modify-writes per acquire/release pair would cost more than the lock itself (measured:
// uncontended RwLock read lock+unlock 0.65x of the unrecorded speed).
import { isThreadDead } from './dead-threads.js';
import { threadId } from './runtime.js';

/** Threads whose holdings a primitive can recover. */
export const HOLDER_ENTRIES = 64;
/** Int32 slots the table occupies. */
export const HOLDER_SLOTS = HOLDER_ENTRIES * 2;
/** Returned by {@link holderEntry} when the table is full: hold without recording. */
export const NO_ENTRY = -1;

/** TID value of an entry that one thread is emptying or recycling. */
const RECLAIMING = -1;
/** This thread's TID value: its runtime thread id + 1, so that 0 means "free". */
const TID = threadId + 1;

/**
 * The Int32 index of this thread's entry in the table at `at`, claiming one if it has none; NO_ENTRY
 * when every entry belongs to a live thread. Recycling a dead thread's entry first gives back what it
 * held through `giveBack`. Cache the result per thread: a live thread's entry stays its own.
 */
export function holderEntry(i32: Int32Array, at: number, giveBack: (count: number) => void): number {
  const own = findEntry(i32, at);
  if (own !== NO_ENTRY) return own;
  const end = at + HOLDER_SLOTS;
  for (let e = at; e < end; e += 2) {
    if (Atomics.load(i32, e) === 0 && Atomics.compareExchange(i32, e, 0, TID) === 0) return e;
  }
  for (let e = at; e < end; e += 2) {
    if (empty(i32, e, giveBack)) {
      Atomics.store(i32, e, TID);
      return e;
    }
  }
  return NO_ENTRY;
}

/** The Int32 index of this thread's entry in the table at `at`, without claiming one; else NO_ENTRY. */
export function findEntry(i32: Int32Array, at: number): number {
  const end = at + HOLDER_SLOTS;
  for (let e = at; e < end; e += 2) if (Atomics.load(i32, e) === TID) return e;
  return NO_ENTRY;
}

/** Whether `entry` (from {@link holderEntry}) is still this thread's; false for NO_ENTRY. */
export function ownsEntry(i32: Int32Array, entry: number): boolean {
  return entry !== NO_ENTRY && Atomics.load(i32, entry) === TID;
}

/** Records that this thread acquired `n` more (after acquiring). */
export function recordHeld(i32: Int32Array, entry: number, n: number): void {
  // A plain write (see "Ordering" above): only this thread writes its live entry's COUNT.
  if (entry !== NO_ENTRY) i32[entry + 1] = i32[entry + 1]! + n;
}

/**
 * Records that this thread is about to release `n` (before releasing). Returns false, changing
 * nothing, if its entry records fewer than `n`: the caller releases what this thread never acquired.
 */
export function recordReleased(i32: Int32Array, entry: number, n: number): boolean {
  if (entry === NO_ENTRY) return true;
  const held = i32[entry + 1]!;
  if (held < n) return false;
  i32[entry + 1] = held - n;
  return true;
}

/** How many this thread's entry records (0 for NO_ENTRY). */
export function heldCount(i32: Int32Array, entry: number): number {
  return entry === NO_ENTRY ? 0 : Atomics.load(i32, entry + 1);
}

/**
 * Gives back, through `giveBack`, everything held by dead threads in the table at `at`, freeing their
 * entries. Returns how much was given back (0 when no holder died). Any thread may call it; each dead
 * entry is emptied by exactly one caller.
 */
export function reclaimDeadHolders(i32: Int32Array, at: number, giveBack: (count: number) => void): number {
  let total = 0;
  const end = at + HOLDER_SLOTS;
  const give = (n: number): void => {
    total += n;
    giveBack(n);
  };
  for (let e = at; e < end; e += 2) {
    // A dead thread's entry that holds nothing is left for holderEntry to recycle.
    if (Atomics.load(i32, e + 1) !== 0 && empty(i32, e, give)) Atomics.store(i32, e, 0);
  }
  return total;
}

/**
 * If entry `e` belongs to a dead thread, takes it (TID = RECLAIMING), gives back its count and returns
 * true; the caller then frees or reuses it. The CAS on TID makes exactly one thread do this.
 */
function empty(i32: Int32Array, e: number, giveBack: (count: number) => void): boolean {
  // `giveBack` must not throw: the entry would stay RECLAIMING.
  const tid = Atomics.load(i32, e);
  if (tid <= 0 || tid === TID || !isThreadDead(tid - 1)) return false;
  if (Atomics.compareExchange(i32, e, tid, RECLAIMING) !== tid) return false;
  // The dead thread cannot change COUNT any more; nobody else touches an entry marked RECLAIMING.
  const count = Atomics.exchange(i32, e + 1, 0);
  if (count > 0) giveBack(count);
  return true;
}

/**
 * For diagnostics: every thread whose entry in the table at `at` records something, with its count
 * (a snapshot; live holders' counts may change while it is read). Entries being reclaimed are left out.
 */
export function listHolders(i32: Int32Array, at: number): { threadId: number; count: number }[] {
  const holders: { threadId: number; count: number }[] = [];
  const end = at + HOLDER_SLOTS;
  for (let e = at; e < end; e += 2) {
    const tid = Atomics.load(i32, e);
    const count = Atomics.load(i32, e + 1);
    if (tid > 0 && count > 0) holders.push({ threadId: tid - 1, count });
  }
  return holders;
}
