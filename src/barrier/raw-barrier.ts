/*
 * The cyclic-barrier algorithm on raw shared memory, kept apart from the public `Barrier` class. It
 * works on three Int32 slots at `base` in an Int32Array.
 *
 * Algorithm: arrivals, generation and the broken flag share one word, so every transition is a single
 * compareExchange and none can interleave with another. A party arrives by incrementing COUNT; the
 * last one (the leader) instead resets COUNT to 0 and advances GEN, which releases the generation, and
 * wakes everyone. Waiters sleep on the whole word and are done when GEN differs from the generation
 * they arrived in (released), or BROKEN is set in their generation (broken). A party that times out or
 * is aborted breaks the barrier, as in Python and Java: the generation can no longer complete with the
 * agreed number of parties. If its generation was released first, its wait succeeded instead.
 * A broken barrier stays broken (there is no reset: create a new one), so "released" and "broken" can
 * never be confused for a waiter that wakes late.
 *
 * Spinning (blocking waits only): a parked waiter runs again only after a futex wake-up, tens of µs
 * after the release, while parties that each have a core arrive within a few µs of each other. So
 * wait() first spins:
 * it loads STATE up to SPIN_LIMIT times (~30 µs here) and returns as soon as its generation is released
 * or broken; only then does it park, exactly as without the spin. The limit is about one wake-up:
 *   - spinning that long, then parking, costs at most about twice the better of the two choices made
 *     in hindsight (the ski-rental bound), however late the release comes;
 *   - a shorter spin cannot heal: once one party has parked, it arrives at the next generation a
 *     wake-up late, so every spin of the others misses it and the parties stay out of step (2 parties on
 *     2 cores: 100 loads gave about 2x the generations per second of no spin, 4 000 loads over 100x).
 * Whether to spin at all is barrier.ts's policy: only with no more parties than cores (else a spinner
 * holds the core that a party yet to arrive needs), and only while this thread's recent spins caught
 * their release (internal/spin-history.ts: after three misses it parks at once for 64 waits; a busy
 * machine makes every spin a miss). waitAsync() never spins, since that would block the event loop; the
 * first check of its wait loop is its one re-check. Spinners need no bookkeeping (I4).
 *
 * Slots:
 *   STATE    BROKEN (bit 30) | GEN (bits 16–29, wrapping) | COUNT (bits 0–15: parties arrived).
 *            Once BROKEN, COUNT is stale: the break wakes every waiter to fail, and nobody arrives.
 *   PARTIES  the number of parties, 1 ..= MAX_PARTIES. Written once, before TAG is published.
 *   TAG      BARRIER_TAG: identifies the memory as a barrier for `Barrier.from`.
 *
 * STATE transitions (one compareExchange each):
 *   | from                      | to                     | by                                 |
 *   |---------------------------|------------------------|------------------------------------|
 *   | gen, count < parties - 1  | gen, count + 1         | a party arriving                   |
 *   | gen, count = parties - 1  | gen + 1, 0             | the last party (leader): released  |
 *   | gen, any count            | BROKEN, gen, count     | abort(), or a timed-out/aborted party |
 *   | BROKEN, ...               | (final)                | arriving throws BrokenBarrierError |
 *
 * Invariants (why no wake-up is lost):
 *   I1. A waiter sleeps only with Atomics.wait(STATE, seen) where seen is its generation, not broken.
 *       Arrivals change STATE without waking anyone; the sleeper stays asleep (the value is compared on
 *       entry only) and a waiter not yet asleep re-checks. Release and break notify all.
 *   I2. Every notify wakes all, so an abandoned async wait that absorbs one strands nobody.
 *   I3. A released waiter sees GEN differ from its generation, unless 2^14 further generations complete
 *       (with other threads) before it runs again.
 *   I4. A spinner is not counted anywhere: release and break notify all whether or not anyone sleeps
 *       (a notify with no sleeper costs ~50 ns), and a spinner that gives up parks through the usual
 *       check-then-wait (I1). Like every check, the spin tests GEN before BROKEN: BROKEN with another
 *       generation means a later generation broke, and the spinner's own was released.
 */
import { notify } from '../internal/wait.js';

/** Slot indices, relative to the barrier's base index. */
export const STATE = 0;
export const PARTIES = 1;
export const TAG = 2;
/** Int32 slots one barrier occupies. */
export const SLOTS = 3;

/** STATE: parties arrived in the current generation. */
export const COUNT_MASK = 0xffff;
/** STATE: generation counter (wraps). */
export const GEN_MASK = 0x3fff0000;
/** STATE: one generation. */
export const GEN_STEP = 0x10000;
/** STATE: the barrier is broken; every wait fails. */
export const BROKEN = 1 << 30;

/** The most parties a barrier can have (COUNT must hold parties - 1). */
export const MAX_PARTIES = 0x7fff;
/** TAG: marks memory initialised as a threadkit barrier ("Bar" in the high bytes). */
export const BARRIER_TAG = 0x42617200;

/** What `arrive` returns: the leader released its generation, or the generation to wait for. */
export type Arrival = { readonly leader: true } | { readonly leader: false; readonly gen: number };

/** Arrives at the barrier. Returns null if it is broken. */
export function arrive(i32: Int32Array, base: number): Arrival | null {
  const parties = Atomics.load(i32, base + PARTIES);
  for (;;) {
    const s = Atomics.load(i32, base + STATE);
    if ((s & BROKEN) !== 0) return null;
    const gen = s & GEN_MASK;
    if ((s & COUNT_MASK) + 1 < parties) {
      if (Atomics.compareExchange(i32, base + STATE, s, s + 1) === s) return { leader: false, gen };
      continue;
    }
    if (Atomics.compareExchange(i32, base + STATE, s, (gen + GEN_STEP) & GEN_MASK) !== s) continue;
    // Released: wake every waiter of `gen` (I1, I2).
    notify(i32, base + STATE, Infinity);
    return { leader: true };
  }
}

/** Outcome of a waiter's check: released, broken, or still waiting (the STATE value to sleep on). */
export const RELEASED = -1;
export const BROKE = -2;

/** Loads of STATE a blocking waiter spins for before parking: ~8 ns each, ~30 µs in all (see above). */
export const SPIN_LIMIT = 4000;

/**
 * Spins while generation `gen` waits, up to SPIN_LIMIT loads: RELEASED or BROKE as soon as it ends,
 * else the STATE value last seen (the caller then parks, which checks again first).
 */
export function spin(i32: Int32Array, base: number, gen: number): number {
  let s = 0;
  for (let i = 0; i < SPIN_LIMIT; i++) {
    s = Atomics.load(i32, base + STATE);
    if ((s & GEN_MASK) !== gen) return RELEASED;
    if ((s & BROKEN) !== 0) return BROKE;
  }
  return s;
}

/** Where a waiter of generation `gen` stands now: RELEASED, BROKE, or the STATE value to sleep on. */
export function standing(i32: Int32Array, base: number, gen: number): number {
  const s = Atomics.load(i32, base + STATE);
  if ((s & GEN_MASK) !== gen) return RELEASED;
  return (s & BROKEN) !== 0 ? BROKE : s;
}

/**
 * Breaks the barrier. With `gen`, only if that generation is still waiting: returns RELEASED if it was
 * released first (the caller's wait then succeeded), else BROKE.
 */
export function breakBarrier(i32: Int32Array, base: number, gen?: number): number {
  for (;;) {
    const s = Atomics.load(i32, base + STATE);
    if (gen !== undefined && (s & GEN_MASK) !== gen) return RELEASED;
    if ((s & BROKEN) !== 0) return BROKE;
    if (Atomics.compareExchange(i32, base + STATE, s, s | BROKEN) !== s) continue;
    // Wake every waiter of this generation: they all fail now (I1, I2).
    notify(i32, base + STATE, Infinity);
    return BROKE;
  }
}
