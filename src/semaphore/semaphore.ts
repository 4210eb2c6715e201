// The Semaphore class: construction, validation and the fast paths of acquire/release (one tryTake
// or give each), with the public documentation. Its options are in options.ts, the waits in
// acquire.ts, robust bookkeeping in robust.ts, and the algorithm on the count in raw-semaphore.ts.
import { SemaphoreOverflowError } from '../errors.js';
import { registerShareable } from '../internal/codec.js';
import { claimTagged, openTagged } from '../internal/tagged.js';
import {
  checkOptions,
  placeSlots,
  checkSignal,
  checkTimeout,
  describe,
  type OptionKeys,
} from '../internal/validate.js';
import { checkCount } from '../internal/validate-count.js';
import { acquireSlowAsync, takeRobust, takeSlow } from './acquire.js';
import type { AcquireAsyncOptions, SemaphoreOptions } from './options.js';
import {
  COUNT,
  FLAGS,
  MAX,
  MAX_PERMITS,
  ROBUST_FLAG,
  SEMAPHORE_TAG,
  SLOTS,
  TAG,
  give,
  tryTake,
} from './raw-semaphore.js';
import { Holdings, recordAcquired, recordReleasing } from './robust.js';

/** Every key of {@link SemaphoreOptions}: checkOptions refuses any other. */
const SEMAPHORE_KEYS: OptionKeys<SemaphoreOptions> = {
  buffer: true,
  byteOffset: true,
  max: true,
  robust: true,
};
/** Every key of {@link AcquireAsyncOptions}: checkOptions refuses any other. */
const ACQUIRE_ASYNC_KEYS: OptionKeys<AcquireAsyncOptions> = { signal: true, timeoutMs: true };

// For the message when an options bag is passed where the count goes: the calls as they should be.
const NEW_USAGE = 'the options go second: new Semaphore(permits, { max, robust })';
const ACQUIRE_USAGE =
  'acquire(n) takes no options; to bound the wait: tryAcquire(n, 100) or acquireAsync(n, { timeoutMs: 100 })';
const TRY_ACQUIRE_USAGE = 'tryAcquire takes the count, then the timeout in milliseconds: tryAcquire(1, 100)';
const ACQUIRE_ASYNC_USAGE = 'the options go second: acquireAsync(1, { timeoutMs })';
const RELEASE_USAGE = 'release(n) takes only the count of permits to return';

/**
 * A counting semaphore that works across worker threads: Python's `threading.Semaphore` (and, with
 * `max`, `BoundedSemaphore`) on shared memory, with weighted acquires.
 *
 * It holds a number of permits. `acquire(n)` takes `n`, waiting while fewer are available; `release(n)`
 * returns them. Permits are not owned: any thread may release. Acquisition is not FIFO: a large request
 * can be overtaken by smaller ones.
 *
 * Robust semaphores (`{ robust: true }`, like POSIX robust mutexes) own their permits: only the thread
 * that acquired permits may release them, and permits held by a thread that dies (terminated, crashed,
 * `process.exit()`) are given back instead of being lost. The next acquirer that runs short finds the
 * death (waiters re-check every 25 ms) and, once it holds the permits it asked for, gets an
 * {@link OwnerDiedError}: thrown by `acquire()` and `tryAcquire()` (also with no timeout), rejected by
 * `acquireAsync()`. **The permits are acquired** when it is thrown; `err.guard.unlock()` releases
 * them. The resource the dead thread was using (a connection, a slot in a buffer) may be in a bad
 * state: check or reset it first. Only that acquirer is told; other waiters proceed normally. If it
 * gives up waiting (timeout, abort) before it holds its permits, nobody is told.
 *
 * Memory ordering: everything a thread wrote before `release()` is visible to a thread whose
 * `acquire()` took any of the permits it released.
 *
 * Share it by passing it to a {@link Thread} or {@link ThreadPool} task, or post it and call
 * {@link Semaphore.from} on what arrives.
 *
 * @example
 * ```ts
 * import { Semaphore } from 'threadkit/semaphore';
 * const connections = new Semaphore(4); // at most 4 at a time, across all threads
 * await connections.acquireAsync();
 * try {
 *   // ... use one connection ...
 * } finally {
 *   connections.release();
 * }
 * ```
 *
 * @example
 * A robust semaphore: a worker dies holding a permit, and the next acquirer gets it back.
 * ```ts
 * import { OwnerDiedError, Semaphore } from 'threadkit/semaphore';
 * import { spawn } from 'threadkit/thread';
 *
 * const slots = new Semaphore(1, { robust: true });
 * await spawn((s: Semaphore) => {
 *   s.acquire();
 *   process.exit(1); // dies holding the permit
 * }, slots).join().catch(() => {});
 *
 * try {
 *   await slots.acquireAsync();
 * } catch (err) {
 *   if (!(err instanceof OwnerDiedError)) throw err;
 *   // we hold the permit now; reset what the dead worker was using, then go on
 * }
 * slots.release();
 * ```
 */
export class Semaphore {
  /** Bytes one semaphore occupies in a caller-supplied buffer (see {@link SemaphoreOptions.buffer}). */
  static readonly BYTES: number = SLOTS * 4;

  /** The shared memory holding the permit count. */
  readonly buffer: SharedArrayBuffer;
  /** Byte offset of the semaphore within {@link Semaphore.buffer}. */
  readonly byteOffset: number;

  readonly #i32: Int32Array;
  // Int32 index of the first slot; all slot constants are relative to it.
  readonly #base: number;
  // ROBUST_FLAG of the FLAGS slot, read once: it never changes after the semaphore is created, and a
  // plain semaphore's paths must not pay for the holder table.
  readonly #robust: boolean;
  // This thread's entry in the holder table; undefined unless robust.
  readonly #holdings: Holdings | undefined;

  /**
   * Creates a semaphore with `permits` available, or opens the one already at `byteOffset` of `buffer`
   * (its current count is kept and `permits` is ignored).
   *
   * @param permits - permits available at first, 0 or more
   * @default permits 1
   * @param options - a bound (`max`), ownership (`robust`), and where to place it
   * @throws TypeError if `buffer` is not a SharedArrayBuffer, the memory holds something else, `robust`
   * is not a boolean, or `max` or `robust` differs from the semaphore already in the memory
   * @throws TypeError if `options` has a key it does not know (naming the key)
   * @throws RangeError if `permits` or `max` is not a valid count, `permits > max`, or `byteOffset`
   * is misaligned or out of range
   */
  constructor(permits?: number, options?: SemaphoreOptions) {
    const initial = checkCount(permits, 'permits', 1, 0, undefined, NEW_USAGE);
    const opts = checkOptions<SemaphoreOptions>(options, SEMAPHORE_KEYS, 'new Semaphore()');
    const max = checkCount(opts.max, 'max', 0, Math.max(initial, 1));
    if (opts.robust !== undefined && typeof opts.robust !== 'boolean') {
      throw new TypeError(`Expected \`robust\` to be a boolean, got ${describe(opts.robust)}`);
    }
    const slots = placeSlots(opts, Semaphore.BYTES);
    this.buffer = slots.buffer;
    this.byteOffset = slots.byteOffset;
    this.#i32 = slots.i32;
    this.#base = slots.base;
    const created = claimTagged(slots, TAG, SEMAPHORE_TAG, 'Semaphore', () => {
      Atomics.store(slots.i32, slots.base + COUNT, initial);
      Atomics.store(slots.i32, slots.base + MAX, max);
      Atomics.store(slots.i32, slots.base + FLAGS, opts.robust === true ? ROBUST_FLAG : 0);
    });
    this.#robust = (Atomics.load(slots.i32, slots.base + FLAGS) & ROBUST_FLAG) !== 0;
    this.#holdings = this.#robust ? new Holdings(slots.i32, slots.base) : undefined;
    if (!created && opts.max !== undefined && Atomics.load(slots.i32, slots.base + MAX) !== max) {
      throw new TypeError(
        `Expected \`max\` to match the semaphore already at byteOffset ${this.byteOffset} (max: ${this.max ?? 'none'})`,
      );
    }
    if (!created && opts.robust !== undefined && opts.robust !== this.#robust) {
      throw new TypeError(
        `Expected \`robust\` to match the semaphore already at byteOffset ${this.byteOffset} (robust: ${this.#robust})`,
      );
    }
  }

  /**
   * Revives a semaphore from its structured clone (what arrives through `postMessage` or `workerData`).
   *
   * @param handle - `structuredClone(semaphore)`, or any object with its `buffer` and `byteOffset`
   * @returns a `Semaphore` using the same shared memory
   * @throws TypeError if `handle` is not the clone of a semaphore
   * @example
   * ```ts
   * import { Semaphore } from 'threadkit/semaphore';
   * const s = new Semaphore(2);
   * const same = Semaphore.from(structuredClone(s));
   * same.acquire();
   * console.log(s.available); // 1
   * ```
   */
  static from(handle: unknown): Semaphore {
    if (handle instanceof Semaphore) return handle;
    const slots = openTagged(handle, Semaphore.BYTES, TAG, SEMAPHORE_TAG, 'Semaphore');
    return new Semaphore(0, { buffer: slots.buffer, byteOffset: slots.byteOffset });
  }

  /**
   * Takes `n` permits, blocking the thread (with `Atomics.wait`) until that many are available.
   *
   * @param n - permits to take
   * @default n 1
   * @throws RangeError if `n` is not a positive integer, or exceeds `max` (it could never be satisfied)
   * @throws BlockingNotAllowedError on a thread that may not block (use {@link Semaphore.acquireAsync})
   * @throws OwnerDiedError (robust only; the `n` permits are held by its `guard`) if this call gave
   * back the permits of a holder that died
   * @example
   * ```ts
   * import { Semaphore } from 'threadkit/semaphore';
   * const s = new Semaphore(3);
   * s.acquire(2);
   * console.log(s.available); // 1
   * ```
   */
  acquire(n?: number): void {
    this.#take(n === undefined ? 1 : this.#checkN(n, ACQUIRE_USAGE), Infinity);
  }

  /**
   * Takes `n` permits if they become available within `timeoutMs` (0: only if available now).
   *
   * @param n - permits to take
   * @default n 1
   * @param timeoutMs - how long to wait, in milliseconds
   * @default timeoutMs 0
   * @returns whether the permits were taken; on `false` none were
   * @throws RangeError if `n` is not a positive integer or exceeds `max`, or `timeoutMs` is negative or NaN
   * @throws BlockingNotAllowedError if it would block on a thread that may not block
   * @throws OwnerDiedError (robust only; the `n` permits are held by its `guard`) if this call gave
   * back the permits of a holder that died; with `timeoutMs` 0 it looks for dead holders before failing
   * @example
   * ```ts
   * import { Semaphore } from 'threadkit/semaphore';
   * const s = new Semaphore(1);
   * if (s.tryAcquire(1, 50)) {
   *   try {
   *     // ... work ...
   *   } finally {
   *     s.release();
   *   }
   * }
   * ```
   */
  tryAcquire(n?: number, timeoutMs?: number): boolean {
    const count = this.#checkN(n, TRY_ACQUIRE_USAGE);
    const wait = timeoutMs === undefined ? 0 : checkTimeout(timeoutMs, 'timeoutMs', 'tryAcquire(1, 100)');
    return this.#take(count, wait);
  }

  /**
   * Takes `n` permits without blocking the event loop. While it waits it keeps a Node process alive.
   * An aborted or timed-out wait takes no permits.
   *
   * @param n - permits to take
   * @default n 1
   * @param options - `signal` to abort the wait, `timeoutMs` to bound it
   * @throws TimeoutError (rejects) if `timeoutMs` passes first
   * @throws the signal's `reason` (rejects) if aborted
   * @throws RangeError if `n` is not a positive integer or exceeds `max`
   * @throws OwnerDiedError (rejects, robust only; the `n` permits are held by its `guard`) if this call
   * gave back the permits of a holder that died
   * @example
   * ```ts
   * import { Semaphore } from 'threadkit/semaphore';
   * const s = new Semaphore(1);
   * await s.acquireAsync(1, { timeoutMs: 1000 });
   * s.release();
   * ```
   */
  async acquireAsync(n?: number, options?: AcquireAsyncOptions): Promise<void> {
    const count = this.#checkN(n, ACQUIRE_ASYNC_USAGE);
    const opts = checkOptions<AcquireAsyncOptions>(options, ACQUIRE_ASYNC_KEYS, 'Semaphore.acquireAsync()');
    const signal = checkSignal(opts.signal);
    const timeoutMs = checkTimeout(opts.timeoutMs);
    if (signal?.aborted) throw signal.reason;
    const i32 = this.#i32;
    const base = this.#base;
    if (tryTake(i32, base, count) === null) {
      if (this.#robust) recordAcquired(this.#holdings!, this, count, false);
      return;
    }
    return acquireSlowAsync(i32, base, this.#holdings, this, count, signal, timeoutMs);
  }

  /**
   * Returns `n` permits, waking threads waiting for them. Any thread may release, except in a
   * {@link SemaphoreOptions.robust | robust} semaphore: there only the thread that acquired them.
   *
   * @param n - permits to return
   * @default n 1
   * @throws SemaphoreOverflowError if that would raise the count above `max` (nothing is released)
   * @throws NotOwnerError (robust only) if this thread holds fewer than `n` (nothing is released)
   * @throws RangeError if `n` is not a positive integer
   * @example
   * ```ts
   * import { Semaphore } from 'threadkit/semaphore';
   * const s = new Semaphore(0);
   * s.release(2);
   * console.log(s.available); // 2
   * ```
   */
  release(n?: number): void {
    // The common `release()` skips validation: one permit always fits the count's range.
    const count = n === undefined ? 1 : checkCount(n, 'n', 1, 1, undefined, RELEASE_USAGE);
    // Robust: unrecord before giving, so the table never claims more than is held.
    if (this.#robust) recordReleasing(this.#holdings!, count);
    if (!give(this.#i32, this.#base, count)) {
      this.#holdings?.restoreRecord(count);
      const max = this.max;
      throw new SemaphoreOverflowError(
        max === undefined
          ? `Semaphore.release(${count}) would overflow the permit count (${this.available} + ${count} > ${MAX_PERMITS})`
          : `Semaphore.release(${count}) would raise the permits above max ${max} (${this.available} available): more releases than acquires`,
      );
    }
  }

  /**
   * Permits available right now (a snapshot, for diagnostics).
   *
   * @example
   * ```ts
   * import { Semaphore } from 'threadkit/semaphore';
   * console.log(new Semaphore(5).available); // 5
   * ```
   */
  get available(): number {
    return Atomics.load(this.#i32, this.#base + COUNT);
  }

  /**
   * The bound of a bounded semaphore, or `undefined` for an unbounded one.
   *
   * @example
   * ```ts
   * import { Semaphore } from 'threadkit/semaphore';
   * console.log(new Semaphore(2, { max: 2 }).max); // 2
   * ```
   */
  get max(): number | undefined {
    return Atomics.load(this.#i32, this.#base + MAX) || undefined;
  }

  /**
   * Whether permits are owned by their acquiring thread and recovered when it dies (see
   * {@link SemaphoreOptions.robust}).
   *
   * @example
   * ```ts
   * import { Semaphore } from 'threadkit/semaphore';
   * console.log(new Semaphore(1, { robust: true }).robust); // true
   * ```
   */
  get robust(): boolean {
    return this.#robust;
  }

  /** Validates a permit count against the bound (a request above it could never be met). */
  #checkN(n: unknown, usage: string): number {
    return checkCount(n, 'n', 1, 1, this.max ?? MAX_PERMITS, usage);
  }

  /** Blocking or timed acquisition shared by acquire() and tryAcquire(). */
  #take(n: number, timeoutMs: number): boolean {
    const i32 = this.#i32;
    const base = this.#base;
    if (tryTake(i32, base, n) === null) {
      if (this.#robust) recordAcquired(this.#holdings!, this, n, false);
      return true;
    }
    if (this.#robust) return takeRobust(i32, base, this.#holdings!, this, n, timeoutMs);
    return timeoutMs !== 0 && takeSlow(i32, base, n, timeoutMs);
  }
}

registerShareable({ name: 'Semaphore', type: Semaphore, revive: (data) => Semaphore.from(data) });
