/*
 * The reader-writer lock algorithm on raw shared memory, kept apart from the public `RwLock` class.
 * It works on SLOTS Int32 slots at `base` in an Int32Array: five words and a holder table.
 *
 * Algorithm: Rust std's futex RwLock (library/std/src/sys/sync/rwlock/futex.rs), with its spinning
 * before a blocking wait (`spinRead`/`spinWrite`: retries of the fast path while nobody is queued),
 * plus an exact count of registered writers so that a writer giving up (timeout, abort) can pass on a
 * wake-up it was handed. Readers sleep on STATE; writers sleep on WRITER_SEQ, which every writer wake-up
 * increments, so one writer is woken at a time while all readers are woken together.
 *
 * Fairness: writer-preferring. Once a writer waits (WRITERS_WAITING), new readers queue instead of
 * joining the readers holding the lock, so a stream of readers cannot starve writers (the exception:
 * `tryReadNested`, a thread's blocking read while it holds one). When the lock is released and both
 * kinds wait, a writer goes first; readers go when no writer is left to wake.
 *
 * Slots:
 *   STATE          READERS_WAITING | WRITERS_WAITING | LOCK (bits 0–29, below).
 *   WRITER_SEQ     writer wake-up counter; writers sleep on it.
 *   WRITER_WAITERS writers registered in the slow path.
 *   OWNER          thread id + 1 of the write-lock holder (0: none), for misuse and deadlock checks, and
 *                  to recognise a writer that died (I4). Stored just after the STATE CAS that takes the
 *                  write lock and cleared just before the release, so the uncontended paths stay one
 *                  CAS on STATE.
 *   HOLDERS ..     HOLDER_SLOTS slots: the table of read locks held per thread (internal/holders.ts),
 *                  so that the read locks of a dead reader can be given back (I5). Not part of STATE:
 *                  a reader records +1 in its own entry after its STATE CAS and unrecords before
 *                  releasing, so sum(entries) <= readers in STATE at every moment.
 *   TAG            RWLOCK_TAG: identifies the memory as a reader-writer lock for `RwLock.from`. Last,
 *                  as `claimTagged` requires.
 *
 * STATE LOCK field:
 *   | LOCK              | meaning                          |
 *   |-------------------|----------------------------------|
 *   | 0                 | unlocked                         |
 *   | 1 ..= MAX_READERS | read-locked by that many readers |
 *   | WRITE_LOCKED      | write-locked                     |
 *   READERS_WAITING: readers sleep on STATE; the releasing thread must wake them.
 *   WRITERS_WAITING: a writer sleeps on WRITER_SEQ; readers may not join, the releaser must wake one.
 *
 * Invariants (why no wake-up is lost):
 *   I1. Readers sleep only with Atomics.wait(STATE, v) where v has READERS_WAITING set, and every
 *       release that clears READERS_WAITING wakes all readers.
 *   I2. A writer sleeps only after setting WRITERS_WAITING, reading WRITER_SEQ, and seeing STATE still
 *       locked with WRITERS_WAITING; a releaser clears WRITERS_WAITING before incrementing WRITER_SEQ,
 *       so the writer either sees the clear (and retries) or its wait sees the new WRITER_SEQ.
 *   I3. A writer that leaves without the lock runs `passOnWriter`: it wakes another registered writer
 *       if the lock is free (in case it left holding a wake-up; with the eviction below, none can),
 *       re-flags WRITERS_WAITING if it is held, and clears stale flags (waking readers) when no writer
 *       is left. An aborted async wait also stays in WRITER_SEQ's waiter list (until notified or timed
 *       out), where a release's notify(1) would wake it instead of a live writer; the aborting writer
 *       evicts it at once (`evictWriters`: wake every writer, without moving WRITER_SEQ), so a wake-up
 *       it absorbed before that reached everyone (each re-checks, and sleeps again only as I2 allows)
 *       and none can be absorbed after it. Passing the absorbed wake-up on from the abandoned wait's
 *       callback would wait for the aborting thread's event loop, blocked maybe in writeLock() behind
 *       its own abandoned entry (the periodic wake of I4 would end that, OWNER_CHECK_MS late).
 *   I4. Dead writers (as the Mutex's, POSIX robust locks): nothing wakes a waiter when the writer's
 *       thread dies, so every parked waiter, reader or writer, wakes at least every OWNER_CHECK_MS and
 *       first runs `takeOverDeadWriter`. The first one to swap OWNER from the dead thread to itself holds
 *       the write lock, whichever mode it asked for; STATE is left write-locked with its waiting flags,
 *       so that its release wakes the others as any writer's does. OWNER names a dead thread only while
 *       that thread still holds the lock (it clears OWNER before releasing), so the swap cannot steal a
 *       live writer's lock. Not covered: a death between the STATE CAS and the OWNER store, or between
 *       clearing OWNER and releasing STATE (a few instructions each). Read locks: I5.
 *   I5. Dead readers: a reader's STATE count carries no owner, so each reader also counts what it holds
 *       in its entry of the HOLDERS table. A parked waiter's periodic check (I4), reader or writer, and
 *       a zero-timeout try, give back through `giveBackReads` (plain `readUnlock`s) everything the
 *       entries of dead threads record, exactly once per entry (internal/holders.ts). As with any
 *       release, the last reader out wakes a waiting writer, also when the one giving back is that
 *       writer itself (its wake finds nobody asleep and lets the readers in; its own check then tries
 *       the lock). No OwnerDiedError: a reader cannot leave the data half-written. Not covered: a death
 *       between the STATE CAS and the record, or between the unrecord and `readUnlock` (that one read
 *       lock stays held), and threads that found the table full (untracked, see holders.ts).
 *
 * Plain reads: `tryReadFast` and `readUnlock` start from a plain (non-atomic) read of STATE where
 * they only need a guess for their compareExchange: an Atomics.load is a builtin call (~8 ns on Node
 * 20, as much as the compareExchange), and the compareExchange checks the guess atomically, succeeding
 * only if STATE still holds it. An aligned Int32 read cannot tear; a stale guess only makes the
 * compareExchange fail, which returns STATE's current value to retry with. Nothing is decided on a
 * guess alone: a guess that looks locked is re-read with Atomics.load before the reader gives up.
 */
import { isThreadDead } from '../internal/dead-threads.js';
import { HOLDER_SLOTS } from '../internal/holders.js';
import { notify } from '../internal/wait.js';

/** Slot indices, relative to the lock's base index. */
export const STATE = 0;
export const WRITER_SEQ = 1;
export const WRITER_WAITERS = 2;
export const OWNER = 3;
/** First slot of the holder table (HOLDER_SLOTS slots). */
export const HOLDERS = 4;
export const TAG = HOLDERS + HOLDER_SLOTS;
/** Int32 slots one lock occupies. */
export const SLOTS = TAG + 1;

/** STATE: the lock field. */
export const LOCK_MASK = (1 << 30) - 1;
/** STATE lock field: write-locked. */
export const WRITE_LOCKED = LOCK_MASK;
/** STATE lock field: the most readers at once. */
export const MAX_READERS = LOCK_MASK - 1;
/** STATE: readers are sleeping on STATE. */
export const READERS_WAITING = 1 << 30;
/** STATE: a writer is sleeping on WRITER_SEQ. */
export const WRITERS_WAITING = 1 << 31;

/**
 * Loads of STATE a blocking acquirer spins for before it queues (as Mutex's SPIN_LIMIT): a futex sleep
 * and wake cost ~15–45 µs, this ~1 µs, and the holder of a short critical section is often gone by then.
 */
export const SPIN_LIMIT = 100;

/** TAG: marks memory initialised as a threadkit reader-writer lock ("RwL" in the high bytes). */
export const RWLOCK_TAG = 0x52774c00;

const lockOf = (s: number): number => s & LOCK_MASK;

/** Readers may join: not write-locked, room for one more, and nobody queued (writer preference). */
export const readLockable = (s: number): boolean =>
  lockOf(s) < MAX_READERS && (s & (READERS_WAITING | WRITERS_WAITING)) === 0;

/** Whether STATE `s` is read-locked (by at least one reader), the only state a dead reader can hold. */
export const readLocked = (s: number): boolean => {
  const lock = lockOf(s);
  return lock !== 0 && lock !== WRITE_LOCKED;
};

/** One read-lock attempt. Returns null when acquired, else the STATE value to sleep on (I1). */
export function tryRead(i32: Int32Array, base: number): number | null {
  for (;;) {
    const s = Atomics.load(i32, base + STATE);
    if (readLockable(s)) {
      if (Atomics.compareExchange(i32, base + STATE, s, s + 1) === s) return null;
      continue;
    }
    if ((s & READERS_WAITING) !== 0) return s;
    if (Atomics.compareExchange(i32, base + STATE, s, s | READERS_WAITING) === s) return s | READERS_WAITING;
  }
}

/**
 * The uncontended read lock (also with other readers in): joins if readers may, and leaves the flags
 * alone, so that a failed fast path queues nobody. One compareExchange when the guess is right (see
 * "Plain reads" above); a lost race retries with the value the compareExchange returns, so concurrent
 * readers do not fall into the slow path. False if readers may not join (write-locked or queued).
 */
export function tryReadFast(i32: Int32Array, base: number): boolean {
  let s = i32[base + STATE]!;
  if (!readLockable(s)) s = Atomics.load(i32, base + STATE); // a stale guess must not give up
  while (readLockable(s)) {
    const found = Atomics.compareExchange(i32, base + STATE, s, s + 1);
    if (found === s) return true;
    s = found;
  }
  return false;
}

/**
 * Before a blocking read lock queues: retries `tryReadFast`'s join while the lock is held and nobody
 * is queued, so it never passes a queued writer (writer preference) or reader. Returns true if it
 * joined; false at once when a waiting flag shows a queued thread, or after SPIN_LIMIT loads.
 */
export function spinRead(i32: Int32Array, base: number): boolean {
  for (let i = 0; i < SPIN_LIMIT; i++) {
    const s = Atomics.load(i32, base + STATE);
    if ((s & (READERS_WAITING | WRITERS_WAITING)) !== 0) return false;
    if (readLockable(s) && Atomics.compareExchange(i32, base + STATE, s, s + 1) === s) return true;
  }
  return false;
}

/** `spinRead` for a writer: retries `tryWriteFast` while the lock is held and nobody is queued. */
export function spinWrite(i32: Int32Array, base: number): boolean {
  for (let i = 0; i < SPIN_LIMIT; i++) {
    const s = Atomics.load(i32, base + STATE);
    if ((s & (READERS_WAITING | WRITERS_WAITING)) !== 0) return false;
    if (s === 0 && Atomics.compareExchange(i32, base + STATE, 0, WRITE_LOCKED) === 0) return true;
  }
  return false;
}

/**
 * A read lock for a thread that already holds one: joins the readers also while writers wait (writer
 * preference would queue it behind a writer that waits for this thread's own read lock: a deadlock).
 * It adds a reader to a lock that is read-locked already, so no writer can be inside or get in; the
 * writers' wait only grows by this read. Returns false if the lock is not read-locked, or is full.
 */
export function tryReadNested(i32: Int32Array, base: number): boolean {
  for (;;) {
    const s = Atomics.load(i32, base + STATE);
    const readers = lockOf(s);
    if (readers === 0 || readers >= MAX_READERS) return false;
    if (Atomics.compareExchange(i32, base + STATE, s, s + 1) === s) return true;
  }
}

/** One uncontended write-lock attempt. */
export function tryWriteFast(i32: Int32Array, base: number): boolean {
  return Atomics.compareExchange(i32, base + STATE, 0, WRITE_LOCKED) === 0;
}

/**
 * One write-lock attempt by a registered writer. Returns null when acquired, else the WRITER_SEQ value
 * to sleep on (I2).
 */
export function tryWrite(i32: Int32Array, base: number): number | null {
  for (;;) {
    const s = Atomics.load(i32, base + STATE);
    if (lockOf(s) === 0) {
      // Keep WRITERS_WAITING while other writers are registered, so the unlock wakes one of them.
      const others = Atomics.load(i32, base + WRITER_WAITERS) > 1 ? WRITERS_WAITING : 0;
      const next = (s & READERS_WAITING) | others | WRITE_LOCKED;
      if (Atomics.compareExchange(i32, base + STATE, s, next) === s) return null;
      continue;
    }
    if (
      (s & WRITERS_WAITING) === 0 &&
      Atomics.compareExchange(i32, base + STATE, s, s | WRITERS_WAITING) !== s
    ) {
      continue;
    }
    const seq = Atomics.load(i32, base + WRITER_SEQ);
    const now = Atomics.load(i32, base + STATE);
    // I2: re-check after reading WRITER_SEQ; a release in between cleared the flag or the lock.
    if (lockOf(now) !== 0 && (now & WRITERS_WAITING) !== 0) return seq;
  }
}

/**
 * I4: if the write lock is held by a thread that died, makes `tid` (thread id + 1) its holder and
 * returns true. The caller then holds the write lock, and must tell its user the owner died.
 */
export function takeOverDeadWriter(i32: Int32Array, base: number, tid: number): boolean {
  if (lockOf(Atomics.load(i32, base + STATE)) !== WRITE_LOCKED) return false;
  const owner = Atomics.load(i32, base + OWNER);
  return (
    owner !== 0 &&
    owner !== tid &&
    isThreadDead(owner - 1) &&
    Atomics.compareExchange(i32, base + OWNER, owner, tid) === owner
  );
}

/**
 * Releases a read lock. Returns false if the lock was not read-locked (the caller throws). One
 * compareExchange when the guess is right (see "Plain reads" above).
 */
export function readUnlock(i32: Int32Array, base: number): boolean {
  let s = i32[base + STATE]!;
  for (;;) {
    if (!readLocked(s)) {
      s = Atomics.load(i32, base + STATE); // refuse on what STATE holds, not on a stale guess
      if (!readLocked(s)) return false;
    }
    const found = Atomics.compareExchange(i32, base + STATE, s, s - 1);
    if (found !== s) {
      s = found;
      continue;
    }
    // The last reader out wakes a queued writer (readers only queue behind a writer).
    if (lockOf(s) === 1 && (s & WRITERS_WAITING) !== 0) wakeWriterOrReaders(i32, base, s - 1);
    return true;
  }
}

/**
 * I5: gives back `n` read locks of a reader that died holding them, as its own releases would have
 * (the last one out wakes a waiting writer).
 */
export function giveBackReads(i32: Int32Array, base: number, n: number): void {
  // readUnlock cannot refuse: the table never records more than STATE holds.
  for (let i = 0; i < n; i++) readUnlock(i32, base);
}

/** Releases the write lock (the caller checked OWNER). */
export function writeUnlock(i32: Int32Array, base: number): void {
  const s = Atomics.sub(i32, base + STATE, WRITE_LOCKED) - WRITE_LOCKED;
  wakeWriterOrReaders(i32, base, s);
}

/** Wakes one writer; returns whether one was asleep. */
function wakeWriter(i32: Int32Array, base: number): boolean {
  Atomics.add(i32, base + WRITER_SEQ, 1); // I2: after WRITERS_WAITING was cleared
  return notify(i32, base + WRITER_SEQ, 1) > 0;
}

/** After a release left the lock free in state `s`: hand it to one writer, else to all readers. */
function wakeWriterOrReaders(i32: Int32Array, base: number, s: number): void {
  if (s === WRITERS_WAITING) {
    if (Atomics.compareExchange(i32, base + STATE, s, 0) === s) {
      wakeWriter(i32, base);
      return;
    }
    s = Atomics.load(i32, base + STATE);
  }
  if (s === (READERS_WAITING | WRITERS_WAITING)) {
    // If this fails, the lock was taken: its holder's release wakes the rest.
    if (Atomics.compareExchange(i32, base + STATE, s, READERS_WAITING) !== s) return;
    if (wakeWriter(i32, base)) return;
    s = READERS_WAITING; // no writer was asleep after all: let the readers in
  }
  if (s === READERS_WAITING && Atomics.compareExchange(i32, base + STATE, s, 0) === s) {
    notify(i32, base + STATE, Infinity); // I1: all readers
  }
}

/**
 * I3: evicts an aborted async wait from WRITER_SEQ's waiter list by waking every writer. WRITER_SEQ
 * stays: the others see a spurious wake-up, re-check and sleep again.
 */
export function evictWriters(i32: Int32Array, base: number): void {
  notify(i32, base + WRITER_SEQ, Infinity);
}

/** I3: called after a writer deregistered without the lock. */
export function passOnWriter(i32: Int32Array, base: number): void {
  for (;;) {
    const s = Atomics.load(i32, base + STATE);
    const writers = Atomics.load(i32, base + WRITER_WAITERS);
    if (lockOf(s) !== 0) {
      // Held: its release wakes a writer, provided the flag is set.
      if (writers === 0 || (s & WRITERS_WAITING) !== 0) return;
      if (Atomics.compareExchange(i32, base + STATE, s, s | WRITERS_WAITING) === s) return;
    } else if (writers > 0) {
      wakeWriter(i32, base); // free: the woken writer takes it or re-flags
      return;
    } else if (s === 0 || Atomics.compareExchange(i32, base + STATE, s, 0) === s) {
      // Free and no writer left: clear stale flags so readers are not queued behind nobody.
      if ((s & READERS_WAITING) !== 0) notify(i32, base + STATE, Infinity);
      return;
    }
  }
}
