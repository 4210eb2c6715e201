/*
 * The once algorithm on raw shared memory, kept apart from the public `Once` class. It works on two
 * Int32 slots at `base` in an Int32Array.
 *
 * Algorithm: STATE moves INCOMPLETE → running (the runner's thread id + 1) → DONE by compareExchange.
 * Exactly one caller wins INCOMPLETE → running and runs the function; everyone else sleeps on STATE
 * while it holds the running value. Success stores DONE; a throw stores INCOMPLETE again (as C++'s
 * std::call_once: the next caller retries). Both wake all sleepers, who re-check: on DONE they return,
 * on INCOMPLETE one of them claims the run. A runner that dies mid-run is taken over by a waiter (I4).
 *
 * Slots:
 *   STATE  INCOMPLETE (0) | tid + 1 of the running thread (> 0) | DONE (-1).
 *   TAG    ONCE_TAG: identifies the memory as a once for `Once.from`.
 *
 * Invariants (why no wake-up is lost):
 *   I1. A waiter sleeps only with Atomics.wait(STATE, running) for the running value it saw; the
 *       runner changes STATE (to DONE or INCOMPLETE) before notifying all.
 *   I2. Every notify wakes all, so an abandoned async wait that absorbs one strands nobody.
 *   I3. Only the thread named in STATE finishes a run, so a recursive call from it is detected.
 *   I4. Dead runners (as the Mutex's dead owners): nothing wakes the waiters when the running thread
 *       dies, so every waiter, sync or async, wakes at least every OWNER_CHECK_MS, and its check takes
 *       the run over when STATE names a dead thread: running(dead) → running(itself) by one CAS, so
 *       exactly one waiter runs the function, as if the dead run had thrown and that waiter had claimed
 *       the retry; the others see the new running value and keep waiting for it. Thread ids are never
 *       reused, so the CAS cannot take over a live thread's run.
 */
import { isThreadDead } from '../internal/dead-threads.js';
import { notify } from '../internal/wait.js';

/** Slot indices, relative to the once's base index. */
export const STATE = 0;
export const TAG = 1;
/** Int32 slots one once occupies. */
export const SLOTS = 2;

/** STATE: nobody has completed the function (or the last run threw). */
export const INCOMPLETE = 0;
/** STATE: the function completed. */
export const DONE = -1;

/** TAG: marks memory initialised as a threadkit once ("Onc" in the high bytes). */
export const ONCE_TAG = 0x4f6e6300;

/** Tries INCOMPLETE → running by `tid`. Returns true if this caller must run the function. */
export function claim(i32: Int32Array, base: number, tid: number): boolean {
  return Atomics.compareExchange(i32, base + STATE, INCOMPLETE, tid) === INCOMPLETE;
}

/** Ends a run: DONE on success, INCOMPLETE (for a retry) on failure; wakes all waiters (I1, I2). */
export function finish(i32: Int32Array, base: number, ok: boolean): void {
  Atomics.store(i32, base + STATE, ok ? DONE : INCOMPLETE);
  notify(i32, base + STATE, Infinity);
}

/**
 * The wait loop's check: done (null) when DONE or when this caller claimed the run, or took it over
 * from a dead runner (I4) (`claimed()` tells which), else the running value to sleep on.
 */
export function onceCheck(
  i32: Int32Array,
  base: number,
  tid: number,
): { check: () => number | null; claimed: () => boolean } {
  let won = false;
  return {
    check: () => {
      for (;;) {
        const s = Atomics.load(i32, base + STATE);
        if (s === DONE) return null;
        if (s !== INCOMPLETE) {
          if (!isThreadDead(s - 1)) return s;
          // I4: the runner died mid-run; the first waiter to swap in its own id runs the function.
          if (Atomics.compareExchange(i32, base + STATE, s, tid) !== s) continue;
          won = true;
          return null;
        }
        if (claim(i32, base, tid)) {
          won = true;
          return null;
        }
      }
    },
    claimed: () => won,
  };
}
