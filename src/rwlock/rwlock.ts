import { registerShareable } from '../internal/codec.js';
import { claimTagged, openTagged } from '../internal/tagged.js';
import { checkOptions, placeSlots, checkTimeout, type OptionKeys } from '../internal/validate.js';
import { checkWaitAsyncOptions, type WaitAsyncOptions } from '../internal/wait-options.js';
import { lockAsync, lockSlow, lockSync, readGuard, rwMemory, writeGuard, type RwMemory } from './acquire.js';
import {
  LOCK_MASK,
  RWLOCK_TAG,
  SLOTS,
  STATE,
  TAG,
  WRITE_LOCKED,
  tryReadFast,
  tryWriteFast,
} from './raw-rwlock.js';
import type { RwLockGuard } from './rwlock-guard.js';

/**
 * Options of {@link RwLock}'s constructor.
 *
 * @example
 * ```ts
 * import { RwLock } from 'threadkit/rwlock';
 * const shared = new SharedArrayBuffer(2 * RwLock.BYTES); // two locks in one buffer
 * const config = new RwLock({ buffer: shared });
 * const stats = new RwLock({ buffer: shared, byteOffset: RwLock.BYTES });
 * using _ = config.readLock();
 * console.log(config.readers, stats.readers); // 1 0
 * ```
 */
export interface RwLockOptions {
  /**
   * Shared memory to place the lock in; a `SharedArrayBuffer` with {@link RwLock.BYTES} bytes free at
   * `byteOffset`.
   * @default a new SharedArrayBuffer of RwLock.BYTES bytes
   */
  readonly buffer?: SharedArrayBuffer | undefined;
  /**
   * Byte offset of the lock in `buffer`; a multiple of 4.
   * @default 0
   */
  readonly byteOffset?: number | undefined;
}

/** Every key of {@link RwLockOptions}: checkOptions refuses any other. */
const RWLOCK_KEYS: OptionKeys<RwLockOptions> = { buffer: true, byteOffset: true };
// For the message when an options bag is passed where the timeout goes: the calls as they should be.
const TRY_READ_USAGE = 'tryReadLock(100), or readLockAsync({ timeoutMs: 100 })';
const TRY_WRITE_USAGE = 'tryWriteLock(100), or writeLockAsync({ timeoutMs: 100 })';

/**
 * A reader-writer lock that works across worker threads (Rust's `std::sync::RwLock`): any number of
 * readers at once, or one writer. Writer-preferring: once a writer waits, new readers queue behind
 * it, so readers cannot starve writers.
 *
 * The write lock is owned by a thread: releasing it from another thread throws {@link NotOwnerError}.
 * A call that this thread's own locks keep out for good throws {@link DeadlockError} at once instead of
 * hanging, from the blocking and `try…` methods (also with no timeout, as `Mutex.tryLock()` does): any
 * lock asked for while holding the write lock, and the write lock asked for while holding a read lock
 * (upgrading: the writer would wait for every reader, itself included; release the read lock first).
 * The `…Async` methods wait instead, as `Mutex.lockAsync()` does: locks belong to threads, not to async
 * tasks, so another task of this thread may be the one holding the lock, and its release ends the
 * wait (a task that awaits `writeLockAsync()` while holding a read lock itself waits for ever: bound it
 * with `timeoutMs`). A thread's read locks are known from the table described under "Dead readers"
 * below; read locks of a thread beyond its 64 entries are not, and upgrading them is not caught.
 * Nested read locks are fine in the blocking and `try…` methods: a thread that holds a read lock gets
 * another at once, also while a writer waits (as Java's `ReentrantReadWriteLock`), where a new reader
 * would block behind the writer, which waits for the first read lock. Each read lock is released by its
 * own guard. (Read locks beyond the table's entries are not known, and queue as new ones.) A thread
 * that keeps its read locks overlapping for ever (taking the next before releasing the last) keeps a
 * waiting writer out as long. `readLockAsync()` always queues behind a waiting writer: another async
 * task of this thread may hold the read lock, and its release ends the wait.
 *
 * Memory ordering: everything a writer wrote before releasing is visible to every later reader and
 * writer after they acquire.
 *
 * Dead writers (as {@link Mutex}'s dead owners): if a {@link Thread} or {@link ThreadPool} worker dies
 * holding the write lock (terminated, crashed, `process.exit()`, out of memory), the waiters do not
 * hang. Within ~25 ms of the death the next acquirer, reader or writer, gets the **write lock**
 * together with an {@link OwnerDiedError} (thrown by the blocking and `try…` methods, rejected by the
 * `…Async` ones) whose `guard` holds it exclusively, even if a read lock was asked for, so that it can
 * repair the protected data before releasing; the other waiters then proceed as usual. Only that first
 * acquirer is told.
 *
 * Dead readers: each thread's read locks are also counted in a table in the lock's memory (one entry
 * per thread, for the first 64 threads that read-lock it at once), so the read locks of a
 * {@link Thread} or {@link ThreadPool} worker that dies holding them are **given back silently**:
 * within ~25 ms of the death a waiting thread (a reader or writer parked on the lock, or a
 * `tryWriteLock()` with no timeout) releases them as the dead reader would have, and a waiting writer
 * then gets the lock. No {@link OwnerDiedError}: a reader cannot have left the data half-written.
 * Read locks of threads beyond those 64, and threads started with a raw `new Worker()`, are not
 * recovered: writers then wait for ever (use a `timeoutMs`).
 *
 * Share it by passing it to a {@link Thread} or {@link ThreadPool} task, or post it and call
 * {@link RwLock.from} on what arrives.
 *
 * @example
 * ```ts
 * import { RwLock } from 'threadkit/rwlock';
 * const lock = new RwLock();
 * const table = new Int32Array(new SharedArrayBuffer(64));
 * {
 *   using _ = lock.writeLock();
 *   table[0] = 1;
 * }
 * {
 *   using _ = await lock.readLockAsync();
 *   console.log(table[0]); // 1
 * }
 * ```
 */
export class RwLock {
  /**
   * Bytes one lock occupies in a caller-supplied buffer (see {@link RwLockOptions.buffer}): the lock
   * word and the table of read locks per thread that lets a dead reader's locks be given back.
   */
  static readonly BYTES: number = SLOTS * 4;

  /** The shared memory holding the lock word. */
  readonly buffer: SharedArrayBuffer;
  /** Byte offset of the lock within {@link RwLock.buffer}. */
  readonly byteOffset: number;

  readonly #i32: Int32Array;
  // Int32 index of the first slot; all slot constants are relative to it.
  readonly #base: number;
  // The memory as acquire.ts sees it, with this thread's cached entry in the holder table.
  readonly #mem: RwMemory;

  /**
   * Creates an unlocked lock, or opens the one already at `byteOffset` of `buffer` (its state is kept).
   *
   * @param options - where to place it
   * @throws TypeError if `buffer` is not a SharedArrayBuffer, or the memory holds something else
   * @throws TypeError if `options` has a key it does not know (naming the key)
   * @throws RangeError if `byteOffset` is misaligned or leaves no room for {@link RwLock.BYTES} bytes
   */
  constructor(options?: RwLockOptions) {
    const opts = checkOptions<RwLockOptions>(options, RWLOCK_KEYS, 'new RwLock()');
    const slots = placeSlots(opts, RwLock.BYTES);
    this.buffer = slots.buffer;
    this.byteOffset = slots.byteOffset;
    this.#i32 = slots.i32;
    this.#base = slots.base;
    this.#mem = rwMemory(slots.i32, slots.base);
    claimTagged(slots, TAG, RWLOCK_TAG, 'RwLock', () => {});
  }

  /**
   * Revives a lock from its structured clone (what arrives through `postMessage` or `workerData`).
   *
   * @param handle - `structuredClone(lock)`, or any object with its `buffer` and `byteOffset`
   * @returns an `RwLock` using the same shared memory
   * @throws TypeError if `handle` is not the clone of an RwLock
   * @example
   * ```ts
   * import { RwLock } from 'threadkit/rwlock';
   * const l = new RwLock();
   * using g = RwLock.from(structuredClone(l)).readLock();
   * console.log(l.readers); // 1
   * ```
   */
  static from(handle: unknown): RwLock {
    if (handle instanceof RwLock) return handle;
    const slots = openTagged(handle, RwLock.BYTES, TAG, RWLOCK_TAG, 'RwLock');
    return new RwLock({ buffer: slots.buffer, byteOffset: slots.byteOffset });
  }

  /**
   * Acquires a shared read lock, blocking the thread (with `Atomics.wait`) while a writer holds the
   * lock or waits for it.
   *
   * @returns a guard; release with `guard.unlock()` or a `using` declaration
   * @throws DeadlockError if this thread holds the write lock
   * @throws OwnerDiedError (holding the write lock) if a writer died holding it
   * @throws BlockingNotAllowedError on a thread that may not block (use {@link RwLock.readLockAsync})
   * @example
   * ```ts
   * import { RwLock } from 'threadkit/rwlock';
   * const l = new RwLock();
   * using g = l.readLock();
   * ```
   */
  readLock(): RwLockGuard {
    // Fast path: one compareExchange (raw-rwlock tryReadFast), a plain write to this thread's entry of
    // the holder table, and a guard. The rest is in lockSlow(), out of line, so that V8 inlines this
    // into the caller (see Mutex.unlock()); a guard whose only use is its unlock() is then not
    // allocated either.
    const mem = this.#mem;
    return tryReadFast(mem.i32, mem.base) ? readGuard(mem) : lockSlow(mem, 'read', Infinity)!;
  }

  /**
   * Acquires a read lock if it becomes available within `timeoutMs` (0: only if available now).
   *
   * @param timeoutMs - how long to wait, in milliseconds
   * @default timeoutMs 0
   * @returns a guard, or `null` if not acquired in time
   * @throws DeadlockError if this thread holds the write lock, even with `timeoutMs` 0
   * @throws OwnerDiedError (holding the write lock) if a writer died holding it, even with `timeoutMs` 0
   * @throws RangeError if `timeoutMs` is negative or NaN
   * @example
   * ```ts
   * import { RwLock } from 'threadkit/rwlock';
   * const l = new RwLock();
   * const g = l.tryReadLock(10);
   * g?.unlock();
   * ```
   */
  tryReadLock(timeoutMs?: number): RwLockGuard | null {
    const mem = this.#mem;
    if (timeoutMs === undefined && tryReadFast(mem.i32, mem.base)) return readGuard(mem); // as readLock()
    const wait = timeoutMs === undefined ? 0 : checkTimeout(timeoutMs, 'timeoutMs', TRY_READ_USAGE);
    return lockSync(mem, 'read', wait);
  }

  /**
   * Acquires a read lock without blocking the event loop. While it waits it keeps a Node process alive.
   *
   * @param options - `signal` to abort the wait, `timeoutMs` to bound it
   * @returns a guard
   * @throws TimeoutError (rejects) if `timeoutMs` passes first
   * @throws OwnerDiedError (rejects; its `guard` holds the write lock) if a writer died holding it
   * @throws the signal's `reason` (rejects) if aborted
   * @example
   * ```ts
   * import { RwLock } from 'threadkit/rwlock';
   * const l = new RwLock();
   * using g = await l.readLockAsync({ timeoutMs: 1000 });
   * ```
   */
  async readLockAsync(options?: WaitAsyncOptions): Promise<RwLockGuard> {
    const { signal, timeoutMs } = checkWaitAsyncOptions(options, 'RwLock.readLockAsync()');
    return lockAsync(this.#mem, 'read', signal, timeoutMs);
  }

  /**
   * Acquires the exclusive write lock, blocking the thread (with `Atomics.wait`) until no reader or
   * writer holds it. Waiting writers keep new readers out.
   *
   * @returns a guard; release with `guard.unlock()` or a `using` declaration
   * @throws DeadlockError if this thread already holds the write lock, or holds a read lock (release it
   * first: a read lock cannot be upgraded)
   * @throws OwnerDiedError (holding the write lock) if its previous holder died holding it
   * @throws BlockingNotAllowedError on a thread that may not block (use {@link RwLock.writeLockAsync})
   * @example
   * ```ts
   * import { RwLock } from 'threadkit/rwlock';
   * const l = new RwLock();
   * using g = l.writeLock();
   * ```
   */
  writeLock(): RwLockGuard {
    // Fast path as in readLock(): one compareExchange, an OWNER store and a guard.
    const mem = this.#mem;
    return tryWriteFast(mem.i32, mem.base) ? writeGuard(mem) : lockSlow(mem, 'write', Infinity)!;
  }

  /**
   * Acquires the write lock if it becomes available within `timeoutMs` (0: only if free now).
   *
   * @param timeoutMs - how long to wait, in milliseconds
   * @default timeoutMs 0
   * @returns a guard, or `null` if not acquired in time
   * @throws DeadlockError if this thread already holds the write lock, or holds a read lock, even with
   * `timeoutMs` 0 (either way it could never get the write lock)
   * @throws OwnerDiedError (holding the write lock) if its previous holder died holding it, even with
   * `timeoutMs` 0
   * @throws RangeError if `timeoutMs` is negative or NaN
   * @example
   * ```ts
   * import { RwLock } from 'threadkit/rwlock';
   * const l = new RwLock();
   * const g = l.tryWriteLock();
   * g?.unlock();
   * ```
   */
  tryWriteLock(timeoutMs?: number): RwLockGuard | null {
    const mem = this.#mem;
    if (timeoutMs === undefined && tryWriteFast(mem.i32, mem.base)) return writeGuard(mem); // as writeLock()
    const wait = timeoutMs === undefined ? 0 : checkTimeout(timeoutMs, 'timeoutMs', TRY_WRITE_USAGE);
    return lockSync(mem, 'write', wait);
  }

  /**
   * Acquires the write lock without blocking the event loop. While it waits it keeps a Node process
   * alive.
   *
   * If this thread holds a read lock or the write lock, this waits for it to be released (by another
   * async task of this thread) rather than throwing {@link DeadlockError} as {@link RwLock.writeLock}
   * does; do not await it in the task that holds the lock.
   *
   * @param options - `signal` to abort the wait, `timeoutMs` to bound it
   * @returns a guard
   * @throws TimeoutError (rejects) if `timeoutMs` passes first
   * @throws OwnerDiedError (rejects; its `guard` holds the write lock) if a writer died holding it
   * @throws the signal's `reason` (rejects) if aborted
   * @example
   * ```ts
   * import { RwLock } from 'threadkit/rwlock';
   * const l = new RwLock();
   * using g = await l.writeLockAsync();
   * ```
   */
  async writeLockAsync(options?: WaitAsyncOptions): Promise<RwLockGuard> {
    const { signal, timeoutMs } = checkWaitAsyncOptions(options, 'RwLock.writeLockAsync()');
    return lockAsync(this.#mem, 'write', signal, timeoutMs);
  }

  /**
   * Number of threads holding a read lock right now (a snapshot, for diagnostics).
   *
   * @example
   * ```ts
   * import { RwLock } from 'threadkit/rwlock';
   * console.log(new RwLock().readers); // 0
   * ```
   */
  get readers(): number {
    const lock = Atomics.load(this.#i32, this.#base + STATE) & LOCK_MASK;
    return lock === WRITE_LOCKED ? 0 : lock;
  }

  /**
   * Whether a thread holds the write lock right now.
   *
   * @example
   * ```ts
   * import { RwLock } from 'threadkit/rwlock';
   * console.log(new RwLock().isWriteLocked); // false
   * ```
   */
  get isWriteLocked(): boolean {
    return (Atomics.load(this.#i32, this.#base + STATE) & LOCK_MASK) === WRITE_LOCKED;
  }
}

registerShareable({ name: 'RwLock', type: RwLock, revive: (data) => RwLock.from(data) });
