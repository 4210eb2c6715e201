import { InconsistentStateError, NotOwnerError } from '../errors.js';
import { NO_ENTRY } from '../internal/holders.js';
import { threadId } from '../internal/runtime.js';
import { registerThreadBound } from '../internal/thread-bound.js';
import type { RwMemory } from './acquire.js';
import { OWNER, readUnlock, writeUnlock } from './raw-rwlock.js';

/** This thread's id in the OWNER slot: its runtime thread id + 1, so that 0 means "nobody". */
export const TID = threadId + 1;

/**
 * Proof that the current thread holds an {@link RwLock} for reading or writing. Release it with
 * `unlock()`, or let a `using` declaration release it when the block exits.
 *
 * @example
 * ```ts
 * import { RwLock } from 'threadkit/rwlock';
 * const lock = new RwLock();
 * {
 *   using guard = lock.readLock();
 *   // ... read the shared data ...
 * } // released here
 * ```
 */
export interface RwLockGuard extends Disposable {
  /**
   * Releases the lock. Throws {@link NotOwnerError} if this guard was already released. Disposing
   * (`using`) a guard that was already released explicitly does nothing.
   */
  unlock(): void;
}

/**
 * The guard of a read or write lock. One class with the release written out, rather than a closure per
 * guard: a read lock + unlock allocated a closure and its context besides the guard, and with one small
 * class V8 inlines the release into the caller.
 * @internal
 */
export class RwGuard implements RwLockGuard {
  // The lock's memory while held; undefined once released, so a guard releases at most once.
  #mem: RwMemory | undefined;
  readonly #write: boolean;

  constructor(mem: RwMemory, write: boolean) {
    this.#mem = mem;
    this.#write = write;
  }

  unlock(): void {
    const mem = this.#mem;
    if (mem === undefined) throw new NotOwnerError('This RwLockGuard was already released');
    this.#mem = undefined;
    if (this.#write) releaseWrite(mem.i32, mem.base);
    else releaseRead(mem);
  }

  /** Releases, unless already released (a `using` declaration after an explicit unlock()). */
  [Symbol.dispose](): void {
    if (this.#mem !== undefined) this.unlock();
  }
}

/*
 * This thread's read locks in its entry of the holder table (I5 of raw-rwlock): internal/holders.ts's
 * recordHeld(…, 1) and recordReleased(…, 1), written out for the fast paths. The rules are holders.ts's:
 * an entry is [TID, COUNT]; only the entry's live thread writes its COUNT, with plain reads and writes
 * (see "Ordering" there); NO_ENTRY records nothing. Written out because the bundle puts holders.ts in a
 * chunk of its own, and under a loader that turns the chunks into CommonJS (tsx, as the benchmarks
 * run) every call across chunks goes through two export getters: calling the two functions made an
 * uncontended read lock + unlock 47 ns there instead of 29 (Node 20).
 */

/** holders.ts's NO_ENTRY, read once (an imported binding would be read through the getters too). */
const UNTRACKED = NO_ENTRY;

/** recordHeld(i32, entry, 1): after acquiring a read lock. */
export function recordRead(mem: RwMemory): void {
  const count = mem.entry + 1; // the entry's COUNT slot
  if (mem.entry !== UNTRACKED) mem.i32[count] = mem.i32[count]! + 1;
}

/**
 * Unrecords a read lock from this thread's entry of the holder table (recordReleased(i32, entry, 1)),
 * then releases it. The entry is known: the read lock was recorded in it (or, for UNTRACKED, not at all).
 */
function releaseRead(mem: RwMemory): void {
  const { i32, entry } = mem;
  if (entry !== UNTRACKED) {
    const held = i32[entry + 1]!; // the entry's COUNT slot
    // Only a reclaim by another thread, which took this thread for dead, can empty the entry.
    if (held < 1) {
      throw new InconsistentStateError(
        "An RwLock read guard found its read lock no longer in this thread's entry",
      );
    }
    i32[entry + 1] = held - 1;
  }
  if (!readUnlock(mem.i32, mem.base)) {
    throw new InconsistentStateError('An RwLock read guard found the lock not read-locked');
  }
}

/** Releases a write lock after checking that this thread holds it. */
function releaseWrite(i32: Int32Array, base: number): void {
  // A plain read suffices (as Mutex's `holds`, src/mutex/hold.ts): OWNER names this thread only from
  // its own store after acquiring to its own clear below, and no read of this thread can see a write
  // older than its own later ones. Any other value means this thread does not hold it, however stale.
  const owner = i32[base + OWNER]!;
  if (owner !== TID) {
    throw new NotOwnerError(
      `Cannot release an RwLock write lock held by thread ${Atomics.load(i32, base + OWNER) - 1} from thread ${TID - 1}`,
    );
  }
  Atomics.store(i32, base + OWNER, 0);
  writeUnlock(i32, base);
}

registerThreadBound({
  name: 'RwLockGuard',
  type: RwGuard,
  what: 'an RwLockGuard',
  advice:
    'an RwLockGuard belongs to the thread that locked its RwLock. Pass the RwLock instead, and lock ' +
    'it inside the other thread',
});
