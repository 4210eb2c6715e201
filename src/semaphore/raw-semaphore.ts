/*
 * The counting-semaphore algorithm on raw shared memory, kept apart from the public `Semaphore` class.
 * It works on SLOTS Int32 slots at `base` in an Int32Array.
 *
 * Algorithm: the permit count is one word. Acquiring n permits is a compareExchange(c → c - n) that
 * only happens when c >= n; a thread that cannot take its permits registers in WAITERS, then sleeps on
 * COUNT with the exact value it saw. Releasing adds n to COUNT and, if anyone is registered, wakes
 * *every* sleeper. Waking all is deliberate: with weighted acquires one woken waiter may need more
 * permits than were released and go back to sleep while a smaller request that would fit stays asleep;
 * a single wake would then be lost. Everyone re-checks instead (a herd, but only of real waiters).
 *
 * Fairness: none (like Python's and Go's x/sync semaphores under contention): a newcomer may take
 * permits a woken waiter was about to take, and a large request can starve behind a stream of small
 * ones. Use a Mutex or Queue where FIFO order matters.
 *
 * Slots:
 *   COUNT    permits available now, 0 ..= MAX (or 2^31 - 1 when unbounded).
 *   WAITERS  threads registered in the slow path (sleeping, or about to sleep / re-check).
 *   MAX      the bound of a bounded semaphore; 0 = unbounded. Written once, before TAG is published.
 *   FLAGS    ROBUST_FLAG or 0. Written once, before TAG is published, so every thread that opens the
 *            memory agrees on it.
 *   HOLDERS  HOLDER_SLOTS slots: the per-thread table of permits held (internal/holders.ts). Only a
 *            robust semaphore uses it; in any other it stays zero and no path reads it.
 *   TAG      SEMAPHORE_TAG: identifies the memory as a semaphore for `Semaphore.from`. Last, as
 *            claimTagged requires.
 *
 * Robust semaphores (FLAGS has ROBUST_FLAG): permits belong to the thread that took them. The holder
 * records +n in its HOLDERS entry after tryTake and -n before give, so the table never claims more than
 * is held. A waiter whose tryTake fails gives back what dead holders held (`restore`, through
 * reclaimDeadHolders) and tries again; waiters of a robust semaphore also wake every OWNER_CHECK_MS,
 * since nothing notifies when a holder dies. `restore` adds to COUNT and wakes exactly like `give`
 * (I1, I2), so a reclaimed permit strands no sleeper either.
 *
 * Invariants (why no wake-up is lost):
 *   I1. A waiter increments WAITERS *before* it loads COUNT for its last check, and sleeps only with
 *       Atomics.wait(COUNT, seen). A releaser adds to COUNT *before* it loads WAITERS. Under the
 *       sequentially consistent order of Atomics, either the waiter's load sees the new count (and it
 *       does not sleep, or its wait returns 'not-equal'), or the releaser sees WAITERS > 0 and notifies.
 *   I2. Every release that could satisfy a sleeper wakes all sleepers (see above), so a waiter that
 *       gives up (timeout, abort) or an abandoned async wait that absorbs a notify strands nobody.
 *   I3. COUNT never goes below 0 nor above MAX: both bounds are checked inside the compareExchange loop
 *       (`restore` clamps at MAX instead of refusing: it must not fail, see there).
 */
import { HOLDER_SLOTS } from '../internal/holders.js';
import { notify } from '../internal/wait.js';

/** Slot indices, relative to the semaphore's base index. */
export const COUNT = 0;
export const WAITERS = 1;
export const MAX = 2;
export const FLAGS = 3;
/** First slot of the holder table (internal/holders.ts). */
export const HOLDERS = 4;
export const TAG = HOLDERS + HOLDER_SLOTS;
/** Int32 slots one semaphore occupies. */
export const SLOTS = TAG + 1;

/** FLAGS bit: permits are owned by their acquiring thread and recovered when it dies. */
export const ROBUST_FLAG = 1;

/** TAG: marks memory initialised as a threadkit semaphore ("Sem" in the high bytes). */
export const SEMAPHORE_TAG = 0x53656d00;
/** The largest permit count a slot can hold. */
export const MAX_PERMITS = 0x7fffffff;

/**
 * Takes `n` permits if that many are available now. Returns null when taken, otherwise the COUNT
 * value seen (to sleep on). This is the `Check` of the wait loop.
 */
export function tryTake(i32: Int32Array, base: number, n: number): number | null {
  for (;;) {
    const c = Atomics.load(i32, base + COUNT);
    if (c < n) return c;
    if (Atomics.compareExchange(i32, base + COUNT, c, c - n) === c) return null;
  }
}

/**
 * Returns `n` permits. Returns false, changing nothing, if that would exceed the bound (the caller
 * throws).
 */
export function give(i32: Int32Array, base: number, n: number): boolean {
  const max = Atomics.load(i32, base + MAX) || MAX_PERMITS;
  for (;;) {
    const c = Atomics.load(i32, base + COUNT);
    if (c > max - n) return false;
    if (Atomics.compareExchange(i32, base + COUNT, c, c + n) === c) break;
  }
  // I1: COUNT was raised before this load. Wake all sleepers (I2); each re-checks COUNT.
  if (Atomics.load(i32, base + WAITERS) > 0) notify(i32, base + COUNT, Infinity);
  return true;
}

/**
 * Returns `n` permits that a dead holder held (the give-back of reclaimDeadHolders). Unlike `give` it
 * cannot fail: the holder table is already emptied when it runs, so a refusal would lose the permits
 * for good. It stops at the bound instead; a robust semaphore's table never records more than is held,
 * so the clamp only absorbs releases by untracked threads (a full table) that exceeded their share.
 */
export function restore(i32: Int32Array, base: number, n: number): void {
  const max = Atomics.load(i32, base + MAX) || MAX_PERMITS;
  for (;;) {
    const c = Atomics.load(i32, base + COUNT);
    const next = c > max - n ? max : c + n;
    if (next === c) return;
    if (Atomics.compareExchange(i32, base + COUNT, c, next) === c) break;
  }
  // I1, I2: as in give.
  if (Atomics.load(i32, base + WAITERS) > 0) notify(i32, base + COUNT, Infinity);
}

/** Runs `wait` registered in WAITERS (I1), deregistering however it ends. */
export function registered<R>(i32: Int32Array, base: number, wait: () => R): R {
  Atomics.add(i32, base + WAITERS, 1);
  try {
    return wait();
  } finally {
    Atomics.sub(i32, base + WAITERS, 1);
  }
}
