// Acquiring and releasing an RwLock on behalf of the current thread: fast path, the wait loops for
// readers and writers, deadlock detection and the guards. The RwLock class is the documented surface;
// the algorithm on the lock word is in raw-rwlock.ts.
import { DeadlockError, InconsistentStateError, NotOwnerError, TimeoutError } from '../errors.js';
import { parkUntil, parkUntilAsync } from '../internal/park.js';
import { threadId } from '../internal/runtime.js';
import {
  OWNER,
  STATE,
  WRITER_SEQ,
  WRITER_WAITERS,
  passOnWriter,
  readLockable,
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
  if (timeoutMs === 0) return null;
  if (Atomics.load(i32, base + OWNER) === TID) {
    throw new DeadlockError(
      `This thread holds the RwLock's write lock; a blocking ${mode} lock would deadlock`,
    );
  }
  if (mode === 'read') {
    const ok = parkUntil(i32, base + STATE, timeoutMs, 'RwLock.readLock()', () => tryRead(i32, base));
    return ok ? guard(i32, base, mode) : null;
  }
  Atomics.add(i32, base + WRITER_WAITERS, 1);
  let ok = false;
  try {
    ok = parkUntil(i32, base + WRITER_SEQ, timeoutMs, 'RwLock.writeLock()', () => tryWrite(i32, base));
  } finally {
    Atomics.sub(i32, base + WRITER_WAITERS, 1);
    if (!ok) passOnWriter(i32, base); // I3 of raw-rwlock
  }
  return ok ? guard(i32, base, mode) : null;
}

/** Non-blocking acquisition; rejects with TimeoutError or the signal's reason. */
export async function lockAsync(
  i32: Int32Array,
  base: number,
  mode: Mode,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): Promise<RwLockGuard> {
  if (fast(i32, base, mode)) return guard(i32, base, mode);
  let ok = false;
  if (mode === 'read') {
    // No onAbsorbed: readers are always woken all together (I1 of raw-rwlock).
    ok = await parkUntilAsync(i32, base + STATE, timeoutMs, signal, () => tryRead(i32, base));
  } else {
    Atomics.add(i32, base + WRITER_WAITERS, 1);
    try {
      const check = () => tryWrite(i32, base);
      ok = await parkUntilAsync(i32, base + WRITER_SEQ, timeoutMs, signal, check, () =>
        passOnWriter(i32, base),
      );
    } finally {
      Atomics.sub(i32, base + WRITER_WAITERS, 1);
      if (!ok) passOnWriter(i32, base); // I3 of raw-rwlock: timed out or aborted
    }
  }
  if (!ok) throw new TimeoutError(`RwLock.${mode}LockAsync() timed out after ${timeoutMs} ms`);
  return guard(i32, base, mode);
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
