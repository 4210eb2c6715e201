// The Mutex class: construction, validation and the inlined fast paths of lock() and unlock() (one
// compareExchange each), with the public documentation. Its options are in options.ts; the shared
// acquisition of lock/tryLock (its first compareExchange included), the async one and the guards are
// in acquire.ts; the algorithm on the lock word is in raw-mutex.ts.
import { NotOwnerError, TimeoutError } from '../errors.js';
import { registerShareable } from '../internal/codec.js';
import { diagnostics } from '../internal/diagnostics.js';
import { syncResult, type SyncHelper } from '../internal/sync-result.js';
import {
  checkOptions,
  misplacedOptions,
  checkSharedSlots,
  placeSlots,
  checkSignal,
  checkTimeout,
  describe,
  type OptionKeys,
} from '../internal/validate.js';
import { acquire, acquireAsync, guardFor, releaseIfOwnerDied, released } from './acquire.js';
import { checkOrder } from './lock-order.js';
import { TID, beginHold, currentHold, holds } from './hold.js';
import { Guard, type MutexGuard } from './mutex-guard.js';
import type { LockAsyncOptions, MutexOptions } from './options.js';
import {
  DEPTH,
  LOCKED,
  MUTEX_TAG,
  REENTRANT_FLAG,
  SLOTS,
  STATE,
  TAG,
  TIMED_OUT,
  WAITERS,
  ownerOf,
  release,
  tryAcquireFast,
} from './raw-mutex.js';

/** How withLock() names itself when `fn` returns a Promise (see sync-result.ts). */
const WITH_LOCK: SyncHelper = {
  param: 'fn',
  method: 'Mutex.withLock()',
  problem: 'cannot hold the lock across `await` (it was released when `fn` returned)',
  advice: 'use withLockAsync() for an async function',
};

/** Every key of {@link MutexOptions}: checkOptions refuses any other. */
const MUTEX_KEYS: OptionKeys<MutexOptions> = { buffer: true, byteOffset: true, reentrant: true };
/** Every key of {@link LockAsyncOptions}: checkOptions refuses any other. */
const LOCK_ASYNC_KEYS: OptionKeys<LockAsyncOptions> = { signal: true, timeoutMs: true };
/** For the message when an options bag is passed to tryLock(): the calls as they should be. */
const TRY_LOCK_USAGE = 'tryLock(100), or lockAsync({ timeoutMs: 100 })';

/**
 * A mutual-exclusion lock that works across worker threads: Python's `threading.Lock` (and, with
 * `reentrant: true`, `RLock`) on shared memory.
 *
 * The lock is owned by a thread, not by an async task: the owner's thread id is recorded in the lock
 * word, so `unlock()` from another thread throws {@link NotOwnerError}, and a blocking relock by the
 * owner of a non-reentrant mutex throws {@link DeadlockError} instead of hanging. Uncontended
 * lock/unlock is one compare-and-swap each, with no system call; contended waiters spin briefly, then
 * sleep, and a waiter that has waited over ~1 ms gets the lock handed to it directly, so nobody starves.
 *
 * Memory ordering: everything a thread wrote before `unlock()` is visible to the next thread after
 * its `lock()` returns (the lock word is accessed with sequentially consistent `Atomics`).
 *
 * Dead owners (POSIX robust mutexes): if a {@link Thread} or {@link ThreadPool} worker dies holding the
 * mutex (terminated, crashed, `process.exit()`, out of memory), the next acquirer does not hang: within
 * ~25 ms of the death it gets the lock together with an {@link OwnerDiedError} (thrown by `lock()` and
 * `tryLock()`, rejected by `lockAsync()`) whose `guard` holds it, so that it can repair the protected
 * state before releasing. Only that first acquirer is told; `withLock`/`withLockAsync` release the lock
 * and rethrow without running `fn`. Threads started with a raw `new Worker()` are not tracked: a lock
 * they die holding stays held.
 *
 * To share a mutex, pass it to a {@link Thread} or {@link ThreadPool} task (it arrives live), or post
 * it with `postMessage` and call {@link Mutex.from} on the data that arrives.
 *
 * @example
 * ```ts
 * import { Mutex } from 'threadkit/mutex';
 * import { spawn } from 'threadkit/thread';
 *
 * const mutex = new Mutex();
 * const balance = new Int32Array(new SharedArrayBuffer(4));
 * const deposit = (m: Mutex, b: Int32Array) => {
 *   for (let i = 0; i < 100_000; i++) {
 *     using _ = m.lock();
 *     b[0] = b[0]! + 1;
 *   }
 * };
 * await Promise.all([spawn(deposit, mutex, balance).join(), spawn(deposit, mutex, balance).join()]);
 * console.log(balance[0]); // 200000
 * ```
 */
export class Mutex {
  /** Bytes one mutex occupies in a caller-supplied buffer (see {@link MutexOptions.buffer}). */
  static readonly BYTES: number = SLOTS * 4;

  /** The shared memory holding the lock word. */
  readonly buffer: SharedArrayBuffer;
  /** Byte offset of the mutex within {@link Mutex.buffer}. */
  readonly byteOffset: number;

  readonly #i32: Int32Array;
  // Int32 index of the first slot; all slot constants are relative to it.
  readonly #base: number;
  readonly #reentrant: boolean;
  // The diagnostics settings (one object per thread, see internal/diagnostics.ts), reached through a
  // field for the fast paths: the bundler turns the module-level binding into a `var` of another chunk,
  // and loading that on every lock() cost ~1 ns (~5% of an uncontended lock + unlock) more than a field.
  readonly #diagnostics = diagnostics;

  /**
   * Creates a mutex, or opens the one already at `byteOffset` of `buffer` (its current state is kept).
   *
   * @param options - where to place it and whether it is reentrant
   * @throws TypeError if `buffer` is not a SharedArrayBuffer, or the memory holds another primitive
   * @throws TypeError if `options` has a key it does not know (naming the key)
   * @throws RangeError if `byteOffset` is misaligned or leaves no room for {@link Mutex.BYTES} bytes
   */
  constructor(options?: MutexOptions) {
    const opts = checkOptions<MutexOptions>(options, MUTEX_KEYS, 'new Mutex()');
    if (opts.reentrant !== undefined && typeof opts.reentrant !== 'boolean') {
      throw new TypeError(`Expected \`reentrant\` to be a boolean, got ${describe(opts.reentrant)}`);
    }
    const slots = placeSlots(opts, Mutex.BYTES);
    this.buffer = slots.buffer;
    this.byteOffset = slots.byteOffset;
    this.#i32 = slots.i32;
    this.#base = slots.base;
    this.#reentrant = opts.reentrant === true;
    const tag = MUTEX_TAG | (this.#reentrant ? REENTRANT_FLAG : 0);
    // Read the other slots before claiming the TAG: nobody uses a mutex before it is tagged, so nonzero
    // slots seen while TAG was still 0 are foreign data, which would read as a lock held forever.
    const used = Atomics.load(this.#i32, this.#base + STATE) | Atomics.load(this.#i32, this.#base + WAITERS);
    const foreign = used !== 0 || Atomics.load(this.#i32, this.#base + DEPTH) !== 0;
    let found = Atomics.compareExchange(this.#i32, this.#base + TAG, 0, foreign ? 0 : tag);
    if (found === 0 && foreign) found = -1;
    if (found !== 0 && found !== tag) {
      throw new TypeError(
        (found & ~REENTRANT_FLAG) === MUTEX_TAG
          ? `Expected \`reentrant\` to match the mutex already at byteOffset ${this.byteOffset} (reentrant: ${!this.#reentrant})`
          : `Expected \`byteOffset\` ${this.byteOffset} to hold a Mutex or free (zeroed) memory, found other data`,
      );
    }
  }

  /**
   * Revives a mutex from its structured clone (what arrives through `postMessage` or `workerData`).
   *
   * @param handle - `structuredClone(mutex)`, or any object with the mutex's `buffer` and `byteOffset`
   * @returns a `Mutex` using the same shared memory
   * @throws TypeError if `handle` is not the clone of a mutex
   * @example
   * ```ts
   * import { Mutex } from 'threadkit/mutex';
   * const m = new Mutex();
   * const same = Mutex.from(structuredClone(m));
   * using g = same.lock();
   * console.log(m.isLocked); // true
   * ```
   */
  static from(handle: unknown): Mutex {
    if (handle instanceof Mutex) return handle;
    const h = handle as { buffer?: unknown; byteOffset?: unknown } | null;
    if (h === null || typeof h !== 'object' || !(h.buffer instanceof SharedArrayBuffer)) {
      throw new TypeError(
        `Expected \`handle\` to be a cloned Mutex ({ buffer: SharedArrayBuffer, byteOffset }), got ${describe(handle)}`,
      );
    }
    const { i32, base } = checkSharedSlots(h.buffer, h.byteOffset, Mutex.BYTES, {
      buffer: 'handle.buffer',
      byteOffset: 'handle.byteOffset',
    });
    const tag = Atomics.load(i32, base + TAG);
    if ((tag & ~REENTRANT_FLAG) !== MUTEX_TAG) {
      throw new TypeError('Expected `handle` to be a cloned Mutex, but its memory holds no mutex');
    }
    return new Mutex({
      buffer: h.buffer,
      byteOffset: h.byteOffset as number,
      reentrant: (tag & REENTRANT_FLAG) !== 0,
    });
  }

  /**
   * Acquires the mutex, blocking the thread (with `Atomics.wait`) until it is free.
   *
   * @returns a guard; release with `guard.unlock()`, `mutex.unlock()` or a `using` declaration
   * @throws DeadlockError if this thread already holds a non-reentrant mutex
   * @throws OwnerDiedError (holding the lock) if its previous owner died holding it
   * @throws BlockingNotAllowedError on a thread that may not block (use {@link Mutex.lockAsync})
   * @example
   * ```ts
   * import { Mutex } from 'threadkit/mutex';
   * const m = new Mutex();
   * using guard = m.lock();
   * ```
   */
  lock(): MutexGuard {
    // Fast path: one compareExchange and a guard. The rest is in #lockSlow() to keep lock() small (see
    // unlock()).
    if (this.#diagnostics.fastLock && tryAcquireFast(this.#i32, this.#base, TID)) {
      return new Guard(this, this.#i32, this.#base, beginHold(this.#i32, this.#base));
    }
    return this.#lockSlow();
  }

  /** lock() when the fast path does not apply: contended, reentrant, diagnostics on, or may not block. */
  #lockSlow(): MutexGuard {
    if (diagnostics.lockOrder) checkOrder(this);
    const got = acquire(this, this.#i32, this.#base, this.#reentrant, Infinity);
    if (got === TIMED_OUT) throw new Error('unreachable: untimed lock returned without the lock');
    return guardFor(this, this.#i32, this.#base, got);
  }

  /**
   * Acquires the mutex if it becomes free within `timeoutMs` (0: only if free now).
   *
   * @param timeoutMs - how long to wait, in milliseconds
   * @default timeoutMs 0
   * @returns a guard, or `null` if the mutex was not acquired in time
   * @throws DeadlockError if this thread already holds a non-reentrant mutex
   * @throws OwnerDiedError (holding the lock) if its previous owner died holding it
   * @throws BlockingNotAllowedError if `timeoutMs > 0` on a thread that may not block
   * @example
   * ```ts
   * import { Mutex } from 'threadkit/mutex';
   * const m = new Mutex();
   * const guard = m.tryLock(50);
   * if (guard) {
   *   try {
   *     // ... work ...
   *   } finally {
   *     guard.unlock();
   *   }
   * }
   * ```
   */
  tryLock(timeoutMs?: number): MutexGuard | null {
    // Fast path of a zero-timeout try on a free mutex, as in lock(): one compareExchange and a guard
    // (the general path below costs ~60% more per uncontended tryLock() + unlock()). A zero timeout
    // never blocks, so unlike lock() it applies on a thread that may not block (a browser main thread,
    // where tryLock() stands in for lock()); only the lock-order diagnostics need the general path.
    if (
      (timeoutMs === undefined || timeoutMs === 0) &&
      !this.#diagnostics.lockOrder &&
      tryAcquireFast(this.#i32, this.#base, TID)
    ) {
      return new Guard(this, this.#i32, this.#base, beginHold(this.#i32, this.#base));
    }
    return this.#tryLockSlow(timeoutMs);
  }

  /** tryLock() past its fast path: taken, timed, reentrant relock, dead owner, or diagnostics on. */
  #tryLockSlow(timeoutMs: number | undefined): MutexGuard | null {
    const t = timeoutMs === undefined ? 0 : checkTimeout(timeoutMs, 'timeoutMs', TRY_LOCK_USAGE);
    if (diagnostics.lockOrder && t > 0) checkOrder(this);
    const got = acquire(this, this.#i32, this.#base, this.#reentrant, t);
    return got === TIMED_OUT ? null : guardFor(this, this.#i32, this.#base, got);
  }

  /**
   * Acquires the mutex without blocking the event loop. While it waits, it keeps a Node process
   * alive; once it settles, it no longer does.
   *
   * If another async task of this same thread holds the mutex, this waits for it to be released
   * (it is not reentrant across async tasks, even for a reentrant mutex).
   *
   * @param options - `signal` to abort the wait, `timeoutMs` to bound it
   * @returns a guard
   * @throws TimeoutError (rejects) if `timeoutMs` passes first
   * @throws the signal's `reason` (rejects) if aborted
   * @throws OwnerDiedError (rejects; the lock is held by its `guard`) if the previous owner died
   * @example
   * ```ts
   * import { Mutex } from 'threadkit/mutex';
   * const m = new Mutex();
   * {
   *   using guard = await m.lockAsync({ timeoutMs: 1000 });
   * }
   * ```
   */
  lockAsync(options?: LockAsyncOptions): Promise<MutexGuard> {
    return this.#lockAsync(options, 'Mutex.lockAsync()');
  }

  /** {@link Mutex.lockAsync}, with bad options reported as the errors of the method `where`. */
  async #lockAsync(options: LockAsyncOptions | undefined, where: string): Promise<MutexGuard> {
    const opts = checkOptions<LockAsyncOptions>(options, LOCK_ASYNC_KEYS, where);
    const signal = checkSignal(opts.signal);
    const timeoutMs = checkTimeout(opts.timeoutMs);
    if (signal?.aborted) throw signal.reason;
    if (diagnostics.lockOrder) checkOrder(this);
    if (tryAcquireFast(this.#i32, this.#base, TID)) return guardFor(this, this.#i32, this.#base, LOCKED);
    const got = await acquireAsync(this, this.#i32, this.#base, timeoutMs, signal);
    if (got === TIMED_OUT) throw new TimeoutError(`${where} timed out after ${timeoutMs} ms`);
    return guardFor(this, this.#i32, this.#base, got);
  }

  /**
   * Releases the mutex (one level of a reentrant mutex).
   *
   * @throws NotOwnerError if the current thread does not hold it
   * @example
   * ```ts
   * import { Mutex } from 'threadkit/mutex';
   * const m = new Mutex();
   * m.lock();
   * m.unlock();
   * ```
   */
  unlock(): void {
    // Fast path: a non-reentrant mutex released with nobody waiting is one exchange. (The
    // lock-order diagnostics need no hook here: they drop released locks when they next look.)
    // The rest is in #unlockSlow(). V8 inlines calls into a function only up to a total bytecode size;
    // with their slow paths written in, lock() and unlock() took 466 bytes of it, and a caller with
    // other calls to inline could run out before the Guard constructor: every lock() then allocated a
    // guard. Now they take 158, and the guard of `m.lock(); ...; m.unlock()` is not allocated.
    if (!this.#reentrant && release(this.#i32, this.#base, TID)) return;
    this.#unlockSlow();
  }

  /** unlock() when the fast path does not apply: reentrant, waiters to wake, or not the owner. */
  #unlockSlow(): void {
    if (this.#reentrant) {
      const depth = Atomics.load(this.#i32, this.#base + DEPTH);
      if (depth > 0 && this.isHeldByCurrentThread) {
        Atomics.store(this.#i32, this.#base + DEPTH, depth - 1);
        return;
      }
    }
    if (!release(this.#i32, this.#base, TID)) {
      const owner = ownerOf(Atomics.load(this.#i32, this.#base + STATE));
      throw new NotOwnerError(
        owner === 0
          ? 'Cannot unlock a Mutex that is not locked'
          : `Cannot unlock a Mutex held by thread ${owner - 1} from thread ${TID - 1}`,
      );
    }
  }

  /**
   * Runs `fn` while holding the mutex (blocking to acquire it) and releases it afterwards, even if
   * `fn` throws. `fn` must be synchronous: the lock cannot be held across an `await` in it. A `fn`
   * typed to return a Promise (an async function) is a type error too; a generic wrapper that passes
   * on a `() => T` must rule out a Promise `T` (or use {@link Mutex.withLockAsync}).
   *
   * @param fn - the critical section
   * @returns what `fn` returns
   * @throws TypeError if fn returns a Promise (use {@link Mutex.withLockAsync} instead); the lock is
   * released first, and a later rejection of that promise is not reported as unhandled
   * @example
   * ```ts
   * import { Mutex } from 'threadkit/mutex';
   * const m = new Mutex();
   * const n = m.withLock(() => 42);
   * ```
   */
  withLock<R>(
    fn: () => R extends PromiseLike<unknown> ? 'a synchronous fn (use withLockAsync() for an async one)' : R,
  ): R {
    if (typeof fn !== 'function')
      throw new TypeError(`Expected \`fn\` to be a function, got ${describe(fn)}`);
    const i32 = this.#i32;
    const base = this.#base;
    // No guard (nor a `using`, which compiles to an array and a helper call): the hold id alone tells
    // whether `fn` already ended this hold itself (mutex.unlock()), leaving nothing to release. A
    // reentrant relock shares the outer hold, so there the depth tells whether `fn` gave back the
    // level taken here (depth is 0 for a first lock, whose level is the hold itself).
    let hold: number;
    let depth = 0;
    if (this.#diagnostics.fastLock && tryAcquireFast(i32, base, TID)) {
      hold = beginHold(i32, base);
    } else {
      hold = this.#lockedHold();
      depth = Atomics.load(i32, base + DEPTH);
    }
    try {
      return syncResult((fn as () => R)(), WITH_LOCK);
    } finally {
      if (holds(i32, base, hold) && (depth === 0 || Atomics.load(i32, base + DEPTH) >= depth)) this.unlock();
    }
  }

  /** lock()'s general path for withLock(): the id of the hold acquired (a reentrant relock shares one). */
  #lockedHold(): number {
    released(() => this.lock());
    return currentHold(this.#i32, this.#base);
  }

  /**
   * Runs `fn` (sync or async) while holding the mutex, acquired without blocking the event loop, and
   * releases it when `fn`'s promise settles.
   *
   * @param fn - the critical section
   * @param options - `signal` and `timeoutMs` for the acquisition, as in {@link Mutex.lockAsync}
   * @returns what `fn` returns (awaited)
   * @example
   * ```ts
   * import { Mutex } from 'threadkit/mutex';
   * const m = new Mutex();
   * const data = await m.withLockAsync(async () => 'read under the lock');
   * ```
   */
  async withLockAsync<R>(fn: () => R | Promise<R>, options?: LockAsyncOptions): Promise<R> {
    if (typeof fn !== 'function') {
      const hint = misplacedOptions(fn, 'the function goes first: withLockAsync(fn, { timeoutMs })');
      throw new TypeError(`Expected \`fn\` to be a function, got ${describe(fn)}${hint}`);
    }
    using _guard = await this.#lockAsync(options, 'Mutex.withLockAsync()').catch(releaseIfOwnerDied);
    return await fn();
  }

  /**
   * Whether any thread holds the mutex right now (a snapshot, for diagnostics).
   *
   * @example
   * ```ts
   * import { Mutex } from 'threadkit/mutex';
   * const m = new Mutex();
   * console.log(m.isLocked); // false
   * ```
   */
  get isLocked(): boolean {
    return ownerOf(Atomics.load(this.#i32, this.#base + STATE)) !== 0;
  }

  /**
   * Whether the current thread holds the mutex.
   *
   * @example
   * ```ts
   * import { Mutex } from 'threadkit/mutex';
   * const m = new Mutex();
   * using g = m.lock();
   * console.log(m.isHeldByCurrentThread); // true
   * ```
   */
  get isHeldByCurrentThread(): boolean {
    return ownerOf(Atomics.load(this.#i32, this.#base + STATE)) === TID;
  }
}

registerShareable({ name: 'Mutex', type: Mutex, revive: (data) => Mutex.from(data) });
