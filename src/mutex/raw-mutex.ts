/*
 * The mutex algorithm on raw shared memory, kept apart from the public `Mutex` class (parking_lot's
 * split between `RawMutex` and the guard API). It works on five Int32 slots at `base` in an Int32Array.
 *
 * Algorithm: a futex lock (Drepper's "Futexes are tricky", mutex3) whose lock word also records the
 * owner's thread id, extended with
 *   - adaptive spinning: a thread spins briefly before parking, but only while nobody is parked. Once
 *     one waiter sleeps, newcomers queue behind it at once, so spinning never turns into the
 *     cache-line storm that sinks plain spin-then-park locks at 8–16 threads;
 *   - no notify on an uncontended unlock: `unlock` is one exchange(→ 0) after a plain read shows no
 *     waiter flagged itself in the PARKED bit;
 *   - eventual fairness (Go's starvation mode, parking_lot's "fair unlock"): a waiter that has waited
 *     longer than FAIR_AFTER_MS sets FAIR. While FAIR is set, `unlock` does not release the lock; it
 *     hands it to a woken waiter (HANDOFF; if none was asleep it releases it after all, I3), and
 *     newcomers may neither barge nor spin: only a waiter that has parked claims a handoff (I6), so the
 *     unlocker cannot take back, by locking again at once, the handoff it just gave. Waiters park in a
 *     FIFO list (the spec orders Atomics waiter lists), so every waiter is served within one round of
 *     the queue. FAIR is dropped by a waiter that got the lock after less than FAIR_AFTER_MS, or when no
 *     one else waits.
 *   - dead owners (POSIX robust mutexes): a waiter that finds the owner's thread in the registry of dead
 *     threads (src/internal/dead-threads.ts) takes the lock over and reports OWNER_DIED. Nothing wakes a
 *     waiter when an owner dies, so parked waiters re-check at least every OWNER_CHECK_MS.
 *
 * Slots:
 *   STATE    the lock word (below).
 *   WAITERS  number of threads registered in the slow path (parked, or about to park / re-check).
 *   DEPTH    extra acquisitions of a reentrant mutex by its owner (touched by the owner only).
 *   TAG      MUTEX_TAG | REENTRANT_FLAG: identifies the memory as a mutex for `Mutex.from`.
 *   HOLD     the id of the owner's current hold (the outermost one of a reentrant mutex), written by
 *            the owner when it acquires; a guard compares it with its own to tell its hold from a later
 *            one (touched by the owner only; the lock algorithm never reads it).
 *
 * STATE bits:
 *   | OWNER (bits 0–27) | PARKED | FAIR | HANDOFF | meaning                                               |
 *   |-------------------|--------|------|---------|-------------------------------------------------------|
 *   | 0                 | 0      | 0    | 0       | unlocked; anyone may take it with CAS(0 → tid)         |
 *   | tid               | 0      | 0    | 0       | locked by thread tid-1, nobody parked                  |
 *   | tid               | 1      | any  | 0       | locked; waiters may be parked: unlock must notify      |
 *   | tid               | any    | 1    | 0       | locked in fair mode: unlock hands the lock over        |
 *   | 0                 | any    | 1    | 1       | handed off: a waiter that has parked may claim it (I6) |
 *   | tid of a dead one | any    | any  | 0       | owner died: a registered waiter may take it over (CAS) |
 *
 * Invariants (these are why no wake-up is lost):
 *   I1. A thread parks only with Atomics.wait(STATE, v) where v has PARKED set (or HANDOFF clear and an
 *       owner), so any change of STATE after it read v makes the wait return 'not-equal'.
 *   I2. While any thread is parked, either STATE has PARKED (the owner's unlock will notify) or some
 *       woken or registered waiter is running and will re-establish PARKED when it claims or re-parks.
 *   I3. A HANDOFF state is always claimed by a registered waiter or reset to 0: by the unlocker when
 *       its notify found no waiter asleep, by a waiter giving up whose passed-on notify found none
 *       (passOn), or by the last waiter to leave. Registered waiters that were
 *       not asleep are between checks and find the lock free (I1); and WAITERS may count a thread that
 *       died waiting (its registration outlives it), which would never claim a handoff: left in place,
 *       it would keep the unlocked mutex from every fast path and tryLock() for good. The notify may
 *       also wake the wait an aborted lockAsync() abandoned (I4) and count it as a waiter: that thread
 *       evicts its wait before it deregisters, so such a notify, and the handoff before it, came
 *       before its leave(), which then sees the handoff and withdraws it (or wakes a waiter to take it).
 *   I4. A waiter that gives up (timeout, abort) after consuming a notify passes the wake-up on.
 *   I5. Every parked waiter wakes within OWNER_CHECK_MS, so a dead owner (whose unlock never comes) is
 *       seen; the takeover keeps PARKED and FAIR, so the new owner's unlock still wakes the others.
 *   I6. A waiter that has not parked yet (a newcomer) treats a handoff as held: it sets PARKED and parks
 *       on it. Whoever ends a handoff without claiming it (withdrawHandoff, passOn) notifies when PARKED
 *       is set, and a claimant keeps PARKED when it was set, so such a newcomer is woken. (WAITERS does
 *       not tell: the newcomer may register after the claimant read it, and sleep on the very value the
 *       claimant's compareExchange replaces.) A zero-timeout
 *       attempt (tryLock()) never parks and may claim a handoff: the waiter it was meant for may have
 *       died after its wake-up, and tryLock() must not fail on a lock nobody live holds. The handoff
 *       left to a waiter that died is otherwise claimed by the others at their next poll (I5).
 */
import { OWNER_CHECK_MS, isThreadDead } from '../internal/dead-threads.js';
import { now } from '../internal/runtime.js';
import { notify, waitAsync, waitSync } from '../internal/wait.js';

/** Slot indices, relative to the mutex's base index. */
export const STATE = 0;
export const WAITERS = 1;
export const DEPTH = 2;
export const TAG = 3;
export const HOLD = 4;
/** Int32 slots one mutex occupies. */
export const SLOTS = 5;

/** STATE: owner thread id + 1 (0 = nobody). */
export const OWNER_MASK = 0x0fffffff;
/** STATE: some thread may be parked on STATE; the unlocker must notify. */
export const PARKED = 1 << 28;
/** STATE: fair mode: unlock hands the lock to a waiter instead of releasing it. */
export const FAIR = 1 << 29;
/** STATE: unlocked but reserved for a registered waiter (fair handoff in flight). */
export const HANDOFF = 1 << 30;

/** TAG: marks memory initialised as a threadkit mutex ("Mtx" in the high bytes). */
export const MUTEX_TAG = 0x4d747800;
/** TAG: the mutex is reentrant. */
export const REENTRANT_FLAG = 1;

/** A waiter that has waited this long (ms) switches the mutex to fair handoff (Go uses 1 ms). */
export const FAIR_AFTER_MS = 1;
/** Loads of STATE a thread spins for before parking; a futex wake costs ~15–45 µs, this ~1–5 µs. */
export const SPIN_LIMIT = 100;
// A parked waiter wakes at least every OWNER_CHECK_MS (shared with RwLock, in internal/dead-threads.ts)
// to check whether the owner's thread died (I5). The model checker (test/model) defines it itself.

/** `acquireSlow` results: not acquired in time; acquired; acquired from an owner that died holding it. */
export const TIMED_OUT = 0;
export const LOCKED = 1;
export const OWNER_DIED = 2;

/** Returned by `attempt` when the lock was acquired, and when it was taken over from a dead owner. */
const ACQUIRED = -1;
const TAKEN_OVER = -2;

/** The owner field of a lock word (0 = unlocked). */
export const ownerOf = (state: number): number => state & OWNER_MASK;

/** Whether the lock word names an owner whose thread died (its lock-word id is thread id + 1). */
export const ownerIsDead = (state: number): boolean => isThreadDead(ownerOf(state) - 1);

/** One uncontended acquire: a single compareExchange. */
export function tryAcquireFast(i32: Int32Array, base: number, tid: number): boolean {
  return Atomics.compareExchange(i32, base + STATE, 0, tid) === 0;
}

/**
 * Spins while the lock is briefly held and nobody is parked. Returns true if it took the lock.
 * It gives up at once in fair mode or when a waiter is parked: those go first.
 */
export function spin(i32: Int32Array, base: number, tid: number): boolean {
  for (let i = 0; i < SPIN_LIMIT; i++) {
    if (Atomics.load(i32, base + WAITERS) !== 0) return false;
    const s = Atomics.load(i32, base + STATE);
    if (s === 0) {
      if (Atomics.compareExchange(i32, base + STATE, 0, tid) === 0) return true;
    } else if ((s & (FAIR | HANDOFF)) !== 0) {
      return false;
    }
  }
  return false;
}

/** Releases the lock held by `tid`. Returns false if `tid` does not hold it (the caller throws). */
export function release(i32: Int32Array, base: number, tid: number): boolean {
  // Fast path: the word is exactly `tid` (held by this thread, nobody flagged PARKED or FAIR), so one
  // exchange releases it. Exchange after a plain read rather than compareExchange(tid → 0): ~1 ns less
  // per unlock on V8, which is ~5% of an uncontended lock + unlock (an Atomics.load instead of the
  // plain read costs more than it saves). The plain read cannot show `tid` unless this thread holds
  // the lock: only this thread writes `tid` into the owner field, and no read of this thread can see
  // a write older than its own later release (hold.ts relies on the same rule). While this thread
  // holds the lock, others can only add PARKED or FAIR to the word, so the exchange returns `tid` with
  // at most those added: a waiter flagged itself in between. The lock is released all the same (as
  // releaseSlow's non-fair path would), so wake one waiter (I2); one that set FAIR re-sets it at its
  // next attempt if a newcomer barged in (one round of fair mode skipped, never a lost wake-up).
  // One exception: a thread counts as dead from the start of its exit, before the user's 'exit'
  // listeners run, and a waiter may take its lock over then (I5); an unlock() from such a listener that
  // read `tid` just before the takeover releases the new owner's hold (compareExchange would throw
  // NotOwnerError instead). Such a listener races the takeover on the protected state anyway, so the
  // docs (docs/locks.md, dead owners) say not to touch locks there.
  if (i32[base + STATE] === tid) {
    if (Atomics.exchange(i32, base + STATE, 0) !== tid) notify(i32, base + STATE, 1);
    return true;
  }
  return releaseSlow(i32, base, tid);
}

function releaseSlow(i32: Int32Array, base: number, tid: number): boolean {
  for (;;) {
    const s = Atomics.load(i32, base + STATE);
    if (ownerOf(s) !== tid) return false;
    if ((s & FAIR) !== 0 && Atomics.load(i32, base + WAITERS) > 0) {
      // Fair mode: hand over. The lock stays unavailable to newcomers; the first parked waiter (FIFO)
      // is woken to claim it. If nobody was asleep there is nobody to hand it to, so withdraw the
      // handoff: registered waiters between checks find the lock free, and a dead one never claims (I3).
      if (Atomics.compareExchange(i32, base + STATE, s, HANDOFF | FAIR) !== s) continue;
      if (notify(i32, base + STATE, 1) === 0) withdrawHandoff(i32, base);
      return true;
    }
    if (Atomics.compareExchange(i32, base + STATE, s, 0) !== s) continue;
    // One wake is enough: the woken waiter re-sets PARKED when it claims or re-parks (I2).
    if ((s & PARKED) !== 0) notify(i32, base + STATE, 1);
    return true;
  }
}

/** Releases a handoff that no waiter was asleep to take (I3), unless a registered waiter claimed it. */
function withdrawHandoff(i32: Int32Array, base: number): void {
  for (;;) {
    // HANDOFF | FAIR, with PARKED once a newcomer parks on it (I6); anything else means it was claimed
    // (or reset) already.
    const s = Atomics.load(i32, base + STATE);
    if ((s & HANDOFF) === 0) return;
    if (Atomics.compareExchange(i32, base + STATE, s, 0) !== s) continue;
    // A newcomer that parked on the handoff (I6) went to sleep after the notify that found nobody.
    if ((s & PARKED) !== 0) notify(i32, base + STATE, 1);
    return;
  }
}

/**
 * After a waiter left without the lock (or an abandoned async wait absorbed a notify), make sure the
 * remaining waiters are not stranded (I2, I4).
 */
export function passOn(i32: Int32Array, base: number): void {
  for (;;) {
    const remaining = Atomics.load(i32, base + WAITERS);
    const s = Atomics.load(i32, base + STATE);
    if (ownerOf(s) !== 0) {
      // Held: its unlock will wake someone, provided PARKED is set.
      if (remaining === 0 || (s & PARKED) !== 0) return;
      if (Atomics.compareExchange(i32, base + STATE, s, s | PARKED) === s) return;
      continue;
    }
    if (remaining > 0) {
      // Free or handed off with waiters left: wake one to take it (running ones see a free lock anyway;
      // a handoff nobody was asleep to take is withdrawn, since newcomers park on it, I6).
      if (notify(i32, base + STATE, 1) === 0 && (s & HANDOFF) !== 0) withdrawHandoff(i32, base);
      return;
    }
    if ((s & HANDOFF) === 0) return;
    if (Atomics.compareExchange(i32, base + STATE, s, 0) !== s) continue;
    // A newcomer that registered after WAITERS was read may sleep on the handoff (I6).
    if ((s & PARKED) !== 0) notify(i32, base + STATE, 1);
    return;
  }
}

/** A thread in the slow path: registered in WAITERS from `register` until it acquires or leaves. */
class Waiter {
  readonly #i32: Int32Array;
  readonly #base: number;
  readonly #tid: number;
  readonly #since = now();
  // Whether this waiter may claim a handoff: once it has parked, or from the start for a zero-timeout
  // attempt, which never parks (I6).
  #queued: boolean;

  constructor(i32: Int32Array, base: number, tid: number, queued: boolean) {
    this.#i32 = i32;
    this.#base = base;
    this.#tid = tid;
    this.#queued = queued;
    Atomics.add(i32, base + WAITERS, 1);
  }

  /**
   * Claims the lock if nobody owns it (including a HANDOFF, once this waiter has parked) or its owner
   * died, otherwise makes sure PARKED (and FAIR, if this waiter is starving) is set. Returns ACQUIRED,
   * TAKEN_OVER, or the STATE value to park on.
   */
  attempt(): number {
    const i32 = this.#i32;
    const at = this.#base + STATE;
    for (;;) {
      const s = Atomics.load(i32, at);
      const waited = now() - this.#since;
      if (ownerOf(s) === 0 && (this.#queued || (s & HANDOFF) === 0)) {
        const others = Atomics.load(i32, this.#base + WAITERS) - 1;
        let next = this.#tid;
        // PARKED on a handoff: a newcomer may sleep on this very value (I6), registered only after
        // WAITERS was read just now.
        if (others > 0 || (s & PARKED) !== 0) next |= PARKED;
        // Stay fair while others wait and this waiter itself was starving (Go's exit rule).
        if ((s & FAIR) !== 0 && others > 0 && waited >= FAIR_AFTER_MS) next |= FAIR;
        if (Atomics.compareExchange(i32, at, s, next) !== s) continue;
        Atomics.sub(i32, this.#base + WAITERS, 1);
        return ACQUIRED;
      }
      if (ownerIsDead(s)) {
        // Keep PARKED and FAIR: other waiters may sleep, and this thread's unlock must wake them (I5).
        if (Atomics.compareExchange(i32, at, s, (s & (PARKED | FAIR)) | this.#tid) !== s) continue;
        Atomics.sub(i32, this.#base + WAITERS, 1);
        return TAKEN_OVER;
      }
      // Held, or handed off to a waiter that parked before this one did (I6).
      let want = s | PARKED;
      if (waited >= FAIR_AFTER_MS) want |= FAIR;
      if (want !== s && Atomics.compareExchange(i32, at, s, want) !== s) continue;
      // The caller parks on `want` now (or gives up): from its next attempt on it is in the queue.
      this.#queued = true;
      return want;
    }
  }

  /** Gives up without the lock: deregisters and passes any absorbed wake-up on. */
  leave(): void {
    Atomics.sub(this.#i32, this.#base + WAITERS, 1);
    passOn(this.#i32, this.#base);
  }
}

/**
 * Blocking acquire after the fast path failed: LOCKED, OWNER_DIED (locked, taken over from a dead
 * owner) or TIMED_OUT. The caller has already checked for self-deadlock and that this thread may block.
 */
export function acquireSlow(i32: Int32Array, base: number, tid: number, timeoutMs: number): number {
  const deadline = now() + timeoutMs;
  if (timeoutMs > 0 && spin(i32, base, tid)) return LOCKED;
  const waiter = new Waiter(i32, base, tid, timeoutMs === 0);
  for (;;) {
    const parkOn = waiter.attempt();
    if (parkOn === ACQUIRED) return LOCKED;
    if (parkOn === TAKEN_OVER) return OWNER_DIED;
    const left = deadline - now();
    if (left <= 0) {
      waiter.leave();
      return TIMED_OUT;
    }
    // Sleeps only while STATE still equals parkOn, which has PARKED set (I1); wakes in time to see a
    // dead owner (I5).
    waitSync(i32, base + STATE, parkOn, Math.min(left, OWNER_CHECK_MS), 'Mutex.lock()');
  }
}

/**
 * Non-blocking acquire after the fast path failed. Resolves LOCKED, OWNER_DIED or TIMED_OUT as
 * `acquireSlow` does; rejects with `signal.reason` when aborted.
 */
export async function acquireSlowAsync(
  i32: Int32Array,
  base: number,
  tid: number,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<number> {
  const deadline = now() + timeoutMs;
  const waiter = new Waiter(i32, base, tid, timeoutMs === 0);
  for (;;) {
    const parkOn = waiter.attempt();
    if (parkOn === ACQUIRED) return LOCKED;
    if (parkOn === TAKEN_OVER) return OWNER_DIED;
    const left = deadline - now();
    if (left <= 0 || signal?.aborted) {
      waiter.leave();
      if (signal?.aborted) throw signal.reason;
      return TIMED_OUT;
    }
    const wait = waitAsync(i32, base + STATE, parkOn, Math.min(left, OWNER_CHECK_MS));
    const outcome = await raceAbort(wait.result, signal);
    if (outcome === 'aborted') {
      wait.cancel();
      // The abandoned native wait stays in the runtime's waiter list, where it would absorb a notify that
      // this thread only passes on once its event loop runs again: never, if it now blocks in lock() on
      // this mutex behind its own dead entry, and late if it is busy. Waking every waiter evicts the entry
      // now; the woken ones re-check and re-park (aborts are rare, so the herd is cheap) (I4).
      if (wait.absorbsNotify) notify(i32, base + STATE, Infinity);
      // Only then deregister: a fair unlock whose notify the abandoned wait absorbed did not withdraw its
      // handoff (it counted this thread as woken), and the handoff is in place by now, for leave() to
      // withdraw or pass on (I3). Leaving first, this thread could see the lock still held, return, and
      // leave the handoff to nobody.
      waiter.leave();
      throw signal?.reason;
    }
  }
}

// Kept local rather than imported from internal/park.ts: the model checker (test/model) compiles this
// file on its own into generators, and every call into another module would need a model of its own.
function raceAbort<T>(result: Promise<T>, signal: AbortSignal | undefined): Promise<T | 'aborted'> {
  if (signal === undefined) return result;
  return new Promise((resolve) => {
    const onAbort = () => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    void result.then((v) => {
      signal.removeEventListener('abort', onAbort);
      resolve(v);
    });
  });
}
