/*
 * The count-down latch algorithm on raw shared memory, kept apart from the public `CountDownLatch`
 * class (Java's `java.util.concurrent.CountDownLatch`). It works on two Int32 slots at `base`.
 *
 * Algorithm: COUNT starts at the latch's count and only goes down, by compareExchange, never below 0.
 * Waiters sleep on COUNT with the value they saw. Only the transition 1 → 0 notifies, and it wakes
 * everyone: the latch is open from then on, for good.
 *
 * Slots:
 *   COUNT  remaining count, >= 0; 0 = open.
 *   TAG    LATCH_TAG: identifies the memory as a latch for `CountDownLatch.from`.
 *
 * Invariants (why no wake-up is lost):
 *   I1. A waiter sleeps only with Atomics.wait(COUNT, seen) where seen > 0. If COUNT changed after
 *       it was read, the wait returns 'not-equal' and the waiter re-reads; if COUNT reaches 0 while it
 *       sleeps, the 1 → 0 transition notifies it. A sleeper is *not* woken for the intermediate
 *       decrements (Atomics.wait compares only on entry), which is what keeps them cheap.
 *   I2. The 1 → 0 notify wakes all, so an abandoned async wait that absorbs it strands nobody.
 *   I3. COUNT is monotonic: once 0 it stays 0, so "open" can never be missed by a late waiter.
 */
import { notify } from '../internal/wait.js';

/** Slot indices, relative to the latch's base index. */
export const COUNT = 0;
export const TAG = 1;
/** Int32 slots one latch occupies. */
export const SLOTS = 2;

/** TAG: marks memory initialised as a threadkit latch ("Ltc" in the high bytes). */
export const LATCH_TAG = 0x4c746300;

/** Decrements COUNT unless it is 0; opens the latch on 1 → 0. Returns the count left. */
export function countDown(i32: Int32Array, base: number): number {
  for (;;) {
    const c = Atomics.load(i32, base + COUNT);
    if (c === 0) return 0;
    if (Atomics.compareExchange(i32, base + COUNT, c, c - 1) !== c) continue;
    // I1, I2: the only notify a latch ever sends; everyone may pass from now on.
    if (c === 1) notify(i32, base + COUNT, Infinity);
    return c - 1;
  }
}

/** The wait loop's check: done (null) when open, else the count to sleep on. */
export function latchCheck(i32: Int32Array, base: number): () => number | null {
  return () => {
    const c = Atomics.load(i32, base + COUNT);
    return c === 0 ? null : c;
  };
}
