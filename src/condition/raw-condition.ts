/*
 * The condition-variable algorithm on raw shared memory, kept apart from the public `Condition` class.
 * It works on three Int32 slots at `base` in an Int32Array. The mutex it is bound to is handled by
 * the class; this file only knows the sequence counter.
 *
 * Algorithm: a sequence counter (the futex condvar of Rust's std and of musl). A waiter, while still
 * holding the mutex, registers in WAITERS and reads SEQ; then it releases the mutex and sleeps on
 * SEQ with the value it read. Every notify increments SEQ before waking, so a notify that lands
 * anywhere after the waiter read SEQ, even before it fell asleep, either makes its Atomics.wait
 * return 'not-equal' or wakes it. It never waits on the protected *value* itself: the predicate is the
 * caller's, checked under the mutex.
 *
 * notify(n) wakes up to n sleepers, in FIFO order. Waiters that read SEQ but have not fallen asleep
 * yet return as well, so a notify may release more than n (a spurious wake-up, which every condition
 * variable allows; `waitFor` re-checks the predicate).
 *
 * Slots:
 *   SEQ      notify counter, wrapping; only its changes matter.
 *   WAITERS  threads between registering and leaving `wait`; notify skips the syscall while it is 0.
 *   TAG      CONDITION_TAG: identifies the memory as a condition for `Condition.from`.
 *
 * Invariants (why no wake-up is lost):
 *   I1. A waiter increments WAITERS and reads SEQ while it holds the mutex, before releasing it. A
 *       notifier that changed the protected state under the mutex therefore either changed it before
 *       the waiter's predicate check (the waiter does not wait), or after the waiter registered (the
 *       notifier's load of WAITERS sees it, and its SEQ increment follows the waiter's read).
 *   I2. An aborted async wait stays in SEQ's waiter list (until notified or timed out), where it would
 *       absorb a notify meant for a live waiter. The aborting waiter evicts it at once (`evict`: wake
 *       every sleeper, without moving SEQ), so a notify absorbed before the eviction reached everyone
 *       (each returns as from a spurious wake-up) and none can be absorbed after it. Passing the
 *       absorbed wake-up on later, from the abandoned wait's callback, is not enough: the callback runs
 *       on the aborting thread's event loop, and that thread may be blocked by then, for example in
 *       `wait()` on this condition, behind its own abandoned entry: the notify meant for that very
 *       `wait()` would be lost.
 *   I3. SEQ could only come back to a sleeper's value after 2^32 notifies while it sleeps.
 */
import { notify } from '../internal/wait.js';

/** Slot indices, relative to the condition's base index. */
export const SEQ = 0;
export const WAITERS = 1;
export const TAG = 2;
/** Int32 slots one condition occupies. */
export const SLOTS = 3;

/** TAG: marks memory initialised as a threadkit condition ("Cnd" in the high bytes). */
export const CONDITION_TAG = 0x436e6400;

/** Registers a waiter (I1: call with the mutex held). Returns the SEQ value to sleep on. */
export function enter(i32: Int32Array, base: number): number {
  Atomics.add(i32, base + WAITERS, 1);
  return Atomics.load(i32, base + SEQ);
}

/** Deregisters a waiter, however its wait ended. */
export function leave(i32: Int32Array, base: number): void {
  Atomics.sub(i32, base + WAITERS, 1);
}

/** Wakes up to `count` waiters (Infinity: all). */
export function signal(i32: Int32Array, base: number, count: number): void {
  if (Atomics.load(i32, base + WAITERS) === 0) return;
  // Change SEQ first, so waiters not yet asleep see 'not-equal' (I1).
  Atomics.add(i32, base + SEQ, 1);
  notify(i32, base + SEQ, count);
}

/**
 * Evicts an aborted async wait from SEQ's waiter list (I2) by waking every sleeper. SEQ stays: the
 * woken waiters see a spurious wake-up (their predicate loops re-check), and waiters not asleep yet are
 * not disturbed.
 */
export function evict(i32: Int32Array, base: number): void {
  notify(i32, base + SEQ, Infinity);
}
