// Acquiring and releasing an RwLock on behalf of the current thread: fast path, the wait loops for
// readers and writers, deadlock detection and the guards. The RwLock class is the documented surface;
// the algorithm on the lock word is in raw-rwlock.ts.
import {
  DeadlockError,
  InconsistentStateError,
  NotOwnerError,
  OwnerDiedError,
  TimeoutError,
} from '../errors.js';
import { OWNER_CHECK_MS } from '../internal/dead-threads.js';
import { parkUntil, parkUntilAsync } from '../internal/park.js';
import { threadId } from '../internal/runtime.js';
import {
  OWNER,
  STATE,
  WRITER_SEQ,
  WRITER_WAITERS,
  passOnWriter,
  readLockable,
  takeOverDeadWriter,
  readUnlock,
  tryRead,
  tryWrite,
  tryWriteFast,
  writeUnlock,
} from './raw-rwlock.js';
import { RwGuard, type RwLockGuard } from './rwlock-guard.js';

/** This thread's id in the OWNER slot: its runtime thread id + 1, so that 0 means "nobody". */
const TID = threadId + 1;

/** Which side of the lock. */
export type Mode = 'read' | 'write';

/** Blocking or timed acquisition (0: fast path only). Returns null when `timeoutMs` passed. */
export function lockSync(i32: Int32Array, base: number, mode: Mode, timeoutMs: number): RwLockGuard | null {
  if (fast(i32, base, mode)) return guard(i32, base, mode);
  // A zero timeout never waits; it only takes over from a dead writer (as Mutex.tryLock() does).
  if (timeoutMs === 0) return takeOverDeadWriter(i32, base, TID) ? ownerDied(i32, base) : null;
  if (Atomics.load(i32, base + OWNER) === TID) {
    throw new DeadlockError(
      `This thread holds the RwLock's write lock; a blocking ${mode} lock would deadlock`,
    );
  }
  const attempt = new Attempt(i32, base, mode);
  if (mode === 'read') {
    const ok = parkUntil(i32, base + STATE, timeoutMs, 'RwLock.readLock()', attempt.check, OWNER_CHECK_MS);
    return ok ? attempt.guard() : null;
  }
  Atomics.add(i32, base + WRITER_WAITERS, 1);
  let ok = false;
  try {
    ok = parkUntil(i32, base + WRITER_SEQ, timeoutMs, 'RwLock.writeLock()', attempt.check, OWNER_CHECK_MS);
  } finally {
    Atomics.sub(i32, base + WRITER_WAITERS, 1);
    if (!ok) passOnWriter(i32, base); // I3 of raw-rwlock
  }
  return ok ? attempt.guard() : null;
}

/** Non-blocking acquisition; rejects with TimeoutError, OwnerDiedError or the signal's reason. */
export async function lockAsync(
  i32: Int32Array,
  base: number,
  mode: Mode,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): Promise<RwLockGuard> {
  if (fast(i32, base, mode)) return guard(i32, base, mode);
  const attempt = new Attempt(i32, base, mode);
  let ok = false;
  if (mode === 'read') {
    // No onAbsorbed: readers are always woken all together (I1 of raw-rwlock).
    ok = await parkUntilAsync(i32, base + STATE, timeoutMs, signal, attempt.check, undefined, OWNER_CHECK_MS);
  } else {
    Atomics.add(i32, base + WRITER_WAITERS, 1);
    try {
      const onAbsorbed = () => passOnWriter(i32, base);
      const seq = base + WRITER_SEQ;
      ok = await parkUntilAsync(i32, seq, timeoutMs, signal, attempt.check, onAbsorbed, OWNER_CHECK_MS);
    } finally {
      Atomics.sub(i32, base + WRITER_WAITERS, 1);
      if (!ok) passOnWriter(i32, base); // I3 of raw-rwlock: timed out or aborted
    }
  }
  if (!ok) throw new TimeoutError(`RwLock.${mode}LockAsync() timed out after ${timeoutMs} ms`);
  return attempt.guard();
}

/**
 * One waiter's condition check for the park loop: takes over from a dead writer (I4 of raw-rwlock),
 * else tries the mode it asked for. Remembers which of the two ended the wait.
 */
class Attempt {
  readonly #i32: Int32Array;
  readonly #base: number;
  readonly #mode: Mode;
  #tookOver = false;

  constructor(i32: Int32Array, base: number, mode: Mode) {
    this.#i32 = i32;
    this.#base = base;
    this.#mode = mode;
  }

  readonly check = (): number | null => {
    if (takeOverDeadWriter(this.#i32, this.#base, TID)) {
      this.#tookOver = true;
      return null;
    }
    return this.#mode === 'read' ? tryRead(this.#i32, this.#base) : tryWrite(this.#i32, this.#base);
  };

  /** The guard of what the wait acquired; throws OwnerDiedError after a takeover. */
  guard(): RwLockGuard {
    return this.#tookOver ? ownerDied(this.#i32, this.#base) : guard(this.#i32, this.#base, this.#mode);
  }
}

/** After a takeover: this thread holds the write lock; hand its guard over in an OwnerDiedError. */
function ownerDied(i32: Int32Array, base: number): never {
  throw new OwnerDiedError(
    "The thread holding this RwLock's write lock died holding it; this thread now holds the write lock (see `error.guard`)",
    guard(i32, base, 'write'),
  );
}

/** One uncontended attempt that leaves the flags alone (a failed fast path must not queue anyone). */
function fast(i32: Int32Array, base: number, mode: Mode): boolean {
  if (mode === 'write') return tryWriteFast(i32, base);
  const s = Atomics.load(i32, base + STATE);
  return readLockable(s) && Atomics.compareExchange(i32, base + STATE, s, s + 1) === s;
}

/** Records ownership of a write lock and returns the guard that releases what was acquired. */
function guard(i32: Int32Array, base: number, mode: Mode): RwLockGuard {
  if (mode === 'read') {
    return new RwGuard(() => {
      if (!readUnlock(i32, base)) {
        throw new InconsistentStateError('An RwLock read guard found the lock not read-locked');
      }
    });
  }
  Atomics.store(i32, base + OWNER, TID);
  return new RwGuard(() => {
    const owner = Atomics.load(i32, base + OWNER);
    if (owner !== TID) {
      throw new NotOwnerError(
        `Cannot release an RwLock write lock held by thread ${owner - 1} from thread ${TID - 1}`,
      );
    }
    Atomics.store(i32, base + OWNER, 0);
    writeUnlock(i32, base);
  });
}
