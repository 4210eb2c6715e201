/*
 * The event algorithm on raw shared memory, kept apart from the public `Event` class. It works on
 * three Int32 slots at `base` in an Int32Array.
 *
 * Algorithm: the flag lives in bit 0 of STATE and the upper bits count how often it was set (the
 * generation). A waiter remembers the state it first saw and sleeps on STATE while it is unchanged; it
 * is done once the flag is set *or* the generation moved on. The generation is what makes
 * `set(); clear()` in quick succession still release every thread that was waiting when `set()` ran
 * (Python's Event guarantees the same): such a waiter may wake only after `clear()`, but it sees a new
 * generation. `set()` wakes all sleepers; `clear()` wakes nobody (nobody waits for a clear).
 *
 * Slots:
 *   STATE    GEN (bits 1–31, wrapping) | FLAG (bit 0).
 *   WAITERS  threads registered in the wait loop; `set()` skips the notify while it is 0.
 *   TAG      EVENT_TAG: identifies the memory as an event for `Event.from`.
 *
 * STATE transitions:
 *   | from        | to              | by      |
 *   |-------------|-----------------|---------|
 *   | gen, clear  | gen + 1, set    | set()   |
 *   | gen, set    | gen, clear      | clear() |
 *   | gen, set    | (unchanged)     | set()   |
 *   | gen, clear  | (unchanged)     | clear() |
 *
 * Invariants (why no wake-up is lost):
 *   I1. A waiter increments WAITERS before its first load of STATE and sleeps only with
 *       Atomics.wait(STATE, seen) where seen has FLAG clear; `set()` changes STATE before it loads
 *       WAITERS. So either the waiter sees the new state, or `set()` sees it registered and notifies.
 *   I2. `set()` wakes all sleepers, so an abandoned async wait that absorbs a notify strands nobody.
 *   I3. A generation never repeats while a thread waits on it (2^31 sets would have to happen first).
 */
import { notify } from '../internal/wait.js';

/** Slot indices, relative to the event's base index. */
export const STATE = 0;
export const WAITERS = 1;
export const TAG = 2;
/** Int32 slots one event occupies. */
export const SLOTS = 3;

/** STATE: the flag is set. */
export const FLAG = 1;
/** STATE: one generation (added on every clear → set transition). */
export const GEN_STEP = 2;

/** TAG: marks memory initialised as a threadkit event ("Evt" in the high bytes). */
export const EVENT_TAG = 0x45767400;

/** Sets the flag; wakes every waiter if it was clear. Returns whether it was clear. */
export function setFlag(i32: Int32Array, base: number): boolean {
  for (;;) {
    const s = Atomics.load(i32, base + STATE);
    if ((s & FLAG) !== 0) return false;
    // `|` wraps the generation into 32 bits (I3).
    if (Atomics.compareExchange(i32, base + STATE, s, (s + GEN_STEP) | FLAG) === s) break;
  }
  // I1: STATE changed before this load. Wake all (I2); waiters that have not slept yet see the change.
  if (Atomics.load(i32, base + WAITERS) > 0) notify(i32, base + STATE, Infinity);
  return true;
}

/** Clears the flag, keeping the generation. Returns whether it was set. */
export function clearFlag(i32: Int32Array, base: number): boolean {
  for (;;) {
    const s = Atomics.load(i32, base + STATE);
    if ((s & FLAG) === 0) return false;
    if (Atomics.compareExchange(i32, base + STATE, s, s & ~FLAG) === s) return true;
  }
}

/**
 * The wait loop's check for a waiter that first saw `start` (FLAG clear): done (null) once the flag is
 * set or the generation moved on, else the state to sleep on.
 */
export function eventCheck(i32: Int32Array, base: number, start: number): () => number | null {
  return () => {
    const s = Atomics.load(i32, base + STATE);
    return (s & FLAG) !== 0 || s !== start ? null : s;
  };
}
