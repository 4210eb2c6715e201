// Acquiring and releasing an RwLock on behalf of the current thread: fast path, the wait loops for
// readers and writers (split once for the slow-lock report of the diagnostics), deadlock detection
// (the write lock held, or a read lock upgraded), the record of this thread's read locks in the holder
// table (I5 of raw-rwlock) and the guards. The RwLock class is the documented surface; the algorithm on the
// lock word is in raw-rwlock.ts.
import { DeadlockError, OwnerDiedError, TimeoutError } from '../errors.js';
import { OWNER_CHECK_MS } from '../internal/dead-threads.js';
import { waitReporting, waitReportingAsync } from '../internal/diagnostics.js';
import { findEntry, heldCount, holderEntry, reclaimDeadHolders } from '../internal/holders.js';
import { parkUntil, parkUntilAsync } from '../internal/park.js';
import {
  HOLDERS,
  OWNER,
  STATE,
  WRITER_SEQ,
  WRITER_WAITERS,
  evictWriters,
  giveBackReads,
  passOnWriter,
  readLocked,
  takeOverDeadWriter,
  tryRead,
  spinRead,
  spinWrite,
  tryReadFast,
  tryReadNested,
  tryWrite,
  tryWriteFast,
} from './raw-rwlock.js';
import { RwGuard, TID, recordRead, type RwLockGuard } from './rwlock-guard.js';
import { reportSlowRw } from './slow-report.js';

/** Which side of the lock. */
export type Mode = 'read' | 'write';

/** RwMemory.entry before this thread's first read lock through that RwLock instance. */
const UNKNOWN_ENTRY = -2;

/**
 * One RwLock instance's memory, and the index of this thread's entry in its holder table, looked up
 * on the first read lock and kept: a live thread's entry stays its own. NO_ENTRY: the table was full,
 * this thread's read locks through this instance are not recorded.
 */
export interface RwMemory {
  readonly i32: Int32Array;
  readonly base: number;
  entry: number;
}

/** The memory record of a new RwLock instance. */
export const rwMemory = (i32: Int32Array, base: number): RwMemory => ({ i32, base, entry: UNKNOWN_ENTRY });

/** Blocking or timed acquisition (0: fast path only). Returns null when `timeoutMs` passed. */
export function lockSync(mem: RwMemory, mode: Mode, timeoutMs: number): RwLockGuard | null {
  return fast(mem.i32, mem.base, mode) ? guard(mem, mode) : lockSlow(mem, mode, timeoutMs);
}

/**
 * lockSync past a failed fast path (RwLock's methods inline the fast path and call this directly):
 * nested reads, self-deadlock checks, dead holders, and the wait.
 */
export function lockSlow(mem: RwMemory, mode: Mode, timeoutMs: number): RwLockGuard | null {
  const { i32, base } = mem;
  if (nestedRead(mem, mode)) return guard(mem, mode);
  // Past the fast path, which a thread whose own locks exclude it can never pass. As Mutex.tryLock(),
  // also with a zero timeout: such a call can never succeed, so it is a bug, not contention.
  checkSelfDeadlock(mem, mode);
  if (timeoutMs === 0) {
    // A zero timeout never waits; it only takes over from a dead writer (as Mutex.tryLock() does),
    // or tries once more after giving back the read locks of dead readers.
    if (takeOverDeadWriter(i32, base, TID)) ownerDied(mem);
    return reclaimDeadReaders(i32, base) > 0 && fast(i32, base, mode) ? guard(mem, mode) : null;
  }
  // A short spin before queueing (raw-rwlock SPIN_LIMIT): the holder is often gone before a futex
  // sleep would even start. Not for the async calls, whose waits do not block the thread anyway.
  if (mode === 'read' ? spinRead(i32, base) : spinWrite(i32, base)) return guard(mem, mode);
  return waitForLock(mem, mode, timeoutMs);
}

/**
 * A read lock past a failed fast path of a blocking or try call, for a thread that holds a read lock
 * of this RwLock already (found in the holder table, through any instance on this memory): it joins
 * the readers even while a writer waits, as Java's ReentrantReadWriteLock lets it, instead of blocking
 * behind a writer that waits for it. A thread that found the holder table full reads untracked, and
 * queues. (Not for the async calls: see lockAsync.)
 */
function nestedRead(mem: RwMemory, mode: Mode): boolean {
  if (mode === 'write') return false;
  const { i32, base } = mem;
  const entry = mem.entry >= 0 ? mem.entry : findEntry(i32, base + HOLDERS);
  return heldCount(i32, entry) > 0 && tryReadNested(i32, base);
}

/**
 * Throws DeadlockError if this thread's own locks keep it from `mode` for good: it holds the write
 * lock, or asks for the write lock while holding read locks (the writer would wait for every reader,
 * itself included). Read locks are found in the holder table (I5 of raw-rwlock); a thread that found
 * the table full reads untracked, and is not caught. Only for blocking and try calls: an async wait
 * may end when another async task of this thread releases (ownership is per thread, as Mutex's).
 */
function checkSelfDeadlock(mem: RwMemory, mode: Mode): void {
  const { i32, base } = mem;
  if (Atomics.load(i32, base + OWNER) === TID) {
    throw new DeadlockError(
      `This thread holds the RwLock's write lock; ${mode === 'write' ? 'taking it again' : 'taking a read lock too'} would deadlock (release the write lock first)`,
    );
  }
  if (mode === 'read') return;
  // Any entry of this thread's, also one recorded through another RwLock instance on this memory.
  const entry = mem.entry >= 0 ? mem.entry : findEntry(i32, base + HOLDERS);
  if (heldCount(i32, entry) > 0) {
    throw new DeadlockError(
      'This thread holds a read lock of this RwLock; upgrading a read lock to the write lock would deadlock (release the read lock first)',
    );
  }
}

/**
 * lockSync's wait. Kept apart so that the closures it makes for the slow-lock report cost nothing on
 * the fast path (variables they capture would be heap-allocated on every call of the function).
 */
function waitForLock(mem: RwMemory, mode: Mode, timeoutMs: number): RwLockGuard | null {
  const { i32, base } = mem;
  const attempt = new Attempt(mem, mode);
  // Deadlock diagnostics: past the slow-lock threshold, report once and wait out the rest.
  const report = (waitedMs: number) => reportSlowRw(i32, base, mode, waitedMs);
  // The call that blocks, for BlockingNotAllowedError's message: the untimed forms have no timeout.
  const timed = timeoutMs !== Infinity;
  if (mode === 'read') {
    const what = timed ? 'RwLock.tryReadLock()' : 'RwLock.readLock()';
    const park = (ms: number) => parkUntil(i32, base + STATE, ms, what, attempt.check, OWNER_CHECK_MS);
    return waitReporting(timeoutMs, park, report) ? attempt.guard() : null;
  }
  Atomics.add(i32, base + WRITER_WAITERS, 1);
  let ok = false;
  try {
    // Both parts of a reported wait stay registered: the writer never leaves the queue in between.
    const what = timed ? 'RwLock.tryWriteLock()' : 'RwLock.writeLock()';
    const park = (ms: number) => parkUntil(i32, base + WRITER_SEQ, ms, what, attempt.check, OWNER_CHECK_MS);
    ok = waitReporting(timeoutMs, park, report);
  } finally {
    Atomics.sub(i32, base + WRITER_WAITERS, 1);
    if (!ok) passOnWriter(i32, base); // I3 of raw-rwlock
  }
  return ok ? attempt.guard() : null;
}

/** Non-blocking acquisition; rejects with TimeoutError, OwnerDiedError or the signal's reason. */
export async function lockAsync(
  mem: RwMemory,
  mode: Mode,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): Promise<RwLockGuard> {
  // No nested reads here: the holder table counts a thread's read locks, not its async tasks', so
  // overlapping async readers of one thread would keep joining past a waiting writer for ever.
  if (fast(mem.i32, mem.base, mode)) return guard(mem, mode);
  return waitForLockAsync(mem, mode, signal, timeoutMs);
}

/** lockAsync's wait, kept apart from its fast path as waitForLock is. */
async function waitForLockAsync(
  mem: RwMemory,
  mode: Mode,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): Promise<RwLockGuard> {
  const { i32, base } = mem;
  const attempt = new Attempt(mem, mode);
  const report = (waitedMs: number) => reportSlowRw(i32, base, mode, waitedMs);
  let ok = false;
  if (mode === 'read') {
    // No onAbandoned: readers are always woken all together (I1 of raw-rwlock), so an aborted wait
    // left in the list strands nobody.
    const park = (ms: number) =>
      parkUntilAsync(i32, base + STATE, ms, signal, attempt.check, undefined, OWNER_CHECK_MS);
    ok = await waitReportingAsync(timeoutMs, park, report);
  } else {
    Atomics.add(i32, base + WRITER_WAITERS, 1);
    try {
      // An aborted wait is evicted at once, so it cannot absorb a release's notify(1) (I3 of raw-rwlock).
      const evict = () => evictWriters(i32, base);
      const park = (ms: number) =>
        parkUntilAsync(i32, base + WRITER_SEQ, ms, signal, attempt.check, evict, OWNER_CHECK_MS);
      ok = await waitReportingAsync(timeoutMs, park, report);
    } finally {
      Atomics.sub(i32, base + WRITER_WAITERS, 1);
      if (!ok) passOnWriter(i32, base); // I3 of raw-rwlock: timed out or aborted
    }
  }
  if (!ok) throw new TimeoutError(`RwLock.${mode}LockAsync() timed out after ${timeoutMs} ms`);
  return attempt.guard();
}

/**
 * One waiter's condition check for the park loop, run on every wake-up, including the periodic ones
 * (OWNER_CHECK_MS): takes over from a dead writer (I4 of raw-rwlock), else gives back the read locks of
 * dead readers (I5) and tries the mode it asked for. Remembers whether a takeover ended the wait.
 */
class Attempt {
  readonly #mem: RwMemory;
  readonly #mode: Mode;
  #tookOver = false;

  constructor(mem: RwMemory, mode: Mode) {
    this.#mem = mem;
    this.#mode = mode;
  }

  readonly check = (): number | null => {
    const { i32, base } = this.#mem;
    if (takeOverDeadWriter(i32, base, TID)) {
      this.#tookOver = true;
      return null;
    }
    reclaimDeadReaders(i32, base);
    return this.#mode === 'read' ? tryRead(i32, base) : tryWrite(i32, base);
  };

  /** The guard of what the wait acquired; throws OwnerDiedError after a takeover. */
  guard(): RwLockGuard {
    return this.#tookOver ? ownerDied(this.#mem) : guard(this.#mem, this.#mode);
  }
}

/**
 * I5 of raw-rwlock: gives back the read locks that dead threads' entries record; returns how many.
 * Only a read-locked STATE can hold any (the table never records more than STATE holds).
 */
function reclaimDeadReaders(i32: Int32Array, base: number): number {
  if (!readLocked(Atomics.load(i32, base + STATE))) return 0;
  return reclaimDeadHolders(i32, base + HOLDERS, (n) => giveBackReads(i32, base, n));
}

/** After a takeover: this thread holds the write lock; hand its guard over in an OwnerDiedError. */
function ownerDied(mem: RwMemory): never {
  throw new OwnerDiedError(
    "The thread holding this RwLock's write lock died holding it; this thread now holds the write lock (see `error.guard`)",
    writeGuard(mem),
  );
}

/** One uncontended attempt that leaves the flags alone (a failed fast path must not queue anyone). */
function fast(i32: Int32Array, base: number, mode: Mode): boolean {
  return mode === 'write' ? tryWriteFast(i32, base) : tryReadFast(i32, base);
}

/** The guard of what was just acquired. */
function guard(mem: RwMemory, mode: Mode): RwLockGuard {
  return mode === 'read' ? readGuard(mem) : writeGuard(mem);
}

/**
 * Records a read lock just acquired in this thread's entry of the holder table (I5 of raw-rwlock),
 * and returns the guard that unrecords it, then releases it (RwGuard). Small, for RwLock.readLock()'s
 * inlined fast path: the entry is looked up once per RwLock instance, out of line.
 */
export function readGuard(mem: RwMemory): RwLockGuard {
  if (mem.entry === UNKNOWN_ENTRY) lookUpEntry(mem);
  recordRead(mem);
  return new RwGuard(mem, false);
}

/**
 * Finds or claims this thread's entry in the holder table for `mem` (recycling a dead thread's gives
 * back what it held), kept for every later read lock: a live thread's entry stays its own.
 */
function lookUpEntry(mem: RwMemory): void {
  const { i32, base } = mem;
  mem.entry = holderEntry(i32, base + HOLDERS, (n) => giveBackReads(i32, base, n));
}

/** Records ownership of a write lock just acquired and returns the guard that releases it. */
export function writeGuard(mem: RwMemory): RwLockGuard {
  Atomics.store(mem.i32, mem.base + OWNER, TID);
  return new RwGuard(mem, true);
}
