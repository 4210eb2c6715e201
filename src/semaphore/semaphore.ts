import { NotOwnerError, SemaphoreOverflowError, TimeoutError } from '../errors.js';
import { registerShareable } from '../internal/codec.js';
import { OWNER_CHECK_MS } from '../internal/dead-threads.js';
import { waitReporting, waitReportingAsync } from '../internal/diagnostics.js';
import { parkUntil, parkUntilAsync } from '../internal/park.js';
import { claimTagged, openTagged } from '../internal/tagged.js';
import { checkOptions, placeSlots, checkSignal, checkTimeout, describe } from '../internal/validate.js';
import { checkCount } from '../internal/validate-count.js';
import {
  COUNT,
  FLAGS,
  MAX,
  MAX_PERMITS,
  ROBUST_FLAG,
  SEMAPHORE_TAG,
  SLOTS,
  TAG,
  WAITERS,
  give,
  registered,
  tryTake,
} from './raw-semaphore.js';
import { Holdings, RobustAttempt, ownerDied } from './robust.js';
import { reportSlowSemaphore } from './slow-report.js';

/**
 * Options of {@link Semaphore}'s constructor.
 *
 * @example
 * ```ts
 * import { Semaphore, SemaphoreOverflowError } from 'threadkit/semaphore';
 * const slots = new Semaphore(2, { max: 2 }); // bounded, like Python's BoundedSemaphore
 * slots.tryAcquire();
 * slots.release();
 * try {
 *   slots.release(); // one more than was taken
 * } catch (err) {
 *   console.log(err instanceof SemaphoreOverflowError); // true
 * }
 * ```
 */
export interface SemaphoreOptions {
  /**
   * Make the semaphore bounded (Python's `BoundedSemaphore`): `release()` throws
   * {@link SemaphoreOverflowError} instead of raising the count above `max`. At least the initial permits.
   * @default unbounded
   */
  readonly max?: number;
  /**
   * Shared memory to place the semaphore in; a `SharedArrayBuffer` with {@link Semaphore.BYTES} bytes
   * free at `byteOffset`.
   * @default a new SharedArrayBuffer of Semaphore.BYTES bytes
   */
  readonly buffer?: SharedArrayBuffer;
  /**
   * Byte offset of the semaphore in `buffer`; a multiple of 4.
   * @default 0
   */
  readonly byteOffset?: number;
  /**
   * Make permits owned, like a POSIX robust mutex: the thread that acquires permits must release them
   * itself (`release()` from another thread throws {@link NotOwnerError}), and if it dies holding them
   * (terminated, crashed, `process.exit()`), they are given back. The next acquirer that runs short
   * finds the death within about 25 ms, and once it holds its permits gets an {@link OwnerDiedError}
   * whose `guard` releases them: the resource the dead thread was using may be in a bad state.
   *
   * Leave it off for a semaphore used to signal (a consumer acquires what a producer released): its
   * consumers never release, so giving a dead consumer's permits back would make up permits.
   *
   * Stored in the shared memory: every thread that opens the semaphore (through `from()`, a
   * {@link Thread} argument, or this constructor) sees the same value. Recovery covers threads started
   * by `Thread`, `spawn` or `ThreadPool`, and the first 64 live threads that acquire; permits of threads
   * beyond that are untracked (neither checked on release nor recovered).
   * @default false
   * @example
   * ```ts
   * import { OwnerDiedError, Semaphore } from 'threadkit/semaphore';
   * const slots = new Semaphore(2, { robust: true });
   * try {
   *   slots.acquire();
   *   slots.release();
   * } catch (err) {
   *   if (!(err instanceof OwnerDiedError)) throw err;
   *   // a holder died; check the resource it used, then:
   *   err.guard.unlock();
   * }
   * console.log(slots.robust, slots.available); // true 2
   * ```
   */
  readonly robust?: boolean;
}

/**
 * Options of {@link Semaphore.acquireAsync}.
 *
 * @example
 * ```ts
 * import { Semaphore } from 'threadkit/semaphore';
 * const permits = new Semaphore(0);
 * const controller = new AbortController();
 * try {
 *   await permits.acquireAsync(1, { signal: controller.signal, timeoutMs: 100 });
 * } catch (err) {
 *   console.log((err as Error).name); // 'TimeoutError'
 * }
 * ```
 */
export interface AcquireAsyncOptions {
  /** Abort the wait; the promise rejects with `signal.reason` and no permit is taken. */
  readonly signal?: AbortSignal;
  /**
   * Give up after this many milliseconds; the promise rejects with a {@link TimeoutError}.
   * @default Infinity
   */
  readonly timeoutMs?: number;
}

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
   * @throws RangeError if `permits` or `max` is not a valid count, `permits > max`, or `byteOffset`
   * is misaligned or out of range
   */
  constructor(permits?: number, options?: SemaphoreOptions) {
    const initial = checkCount(permits, 'permits', 1, 0);
    const opts = checkOptions<SemaphoreOptions>(options);
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
    this.#take(n === undefined ? 1 : this.#checkN(n), Infinity);
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
   *   try { /* work *\/ } finally { s.release(); }
   * }
   * ```
   */
  tryAcquire(n?: number, timeoutMs?: number): boolean {
    const count = this.#checkN(n);
    return this.#take(count, timeoutMs === undefined ? 0 : checkTimeout(timeoutMs));
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
    const count = this.#checkN(n);
    const opts = checkOptions<AcquireAsyncOptions>(options);
    const signal = checkSignal(opts.signal);
    const timeoutMs = checkTimeout(opts.timeoutMs);
    if (signal?.aborted) throw signal.reason;
    const i32 = this.#i32;
    const base = this.#base;
    if (tryTake(i32, base, count) === null) {
      if (this.#robust) this.#acquired(count, false);
      return;
    }
    return this.#acquireSlowAsync(count, signal, timeoutMs);
  }

  /** acquireAsync's wait, kept apart from its fast path as #takeSlow is. */
  async #acquireSlowAsync(count: number, signal: AbortSignal | undefined, timeoutMs: number): Promise<void> {
    const i32 = this.#i32;
    const base = this.#base;
    const robust = this.#robust ? new RobustAttempt(i32, base, count) : undefined;
    Atomics.add(i32, base + WAITERS, 1);
    let taken: boolean;
    try {
      // No onAbsorbed: every release wakes all sleepers, so an absorbed notify strands nobody (I2).
      const park = (ms: number) =>
        robust === undefined
          ? parkUntilAsync(i32, base + COUNT, ms, signal, () => tryTake(i32, base, count))
          : parkUntilAsync(i32, base + COUNT, ms, signal, robust.check, undefined, OWNER_CHECK_MS);
      // Deadlock diagnostics: past the slow-lock threshold, report once and wait out the rest.
      taken = await waitReportingAsync(timeoutMs, park, (waited) =>
        reportSlowSemaphore(i32, base, count, waited),
      );
    } finally {
      Atomics.sub(i32, base + WAITERS, 1);
    }
    if (!taken) throw new TimeoutError(`Semaphore.acquireAsync(${count}) timed out after ${timeoutMs} ms`);
    if (robust !== undefined) this.#acquired(count, robust.reclaimed);
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
    const count = n === undefined ? 1 : checkCount(n, 'n', 1);
    // Robust: unrecord before giving, so the table never claims more than is held.
    if (this.#robust) this.#unrecord(count);
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
  #checkN(n: unknown): number {
    return checkCount(n, 'n', 1, 1, this.max ?? MAX_PERMITS);
  }

  /** Blocking or timed acquisition shared by acquire() and tryAcquire(). */
  #take(n: number, timeoutMs: number): boolean {
    const i32 = this.#i32;
    const base = this.#base;
    if (tryTake(i32, base, n) === null) {
      if (this.#robust) this.#acquired(n, false);
      return true;
    }
    if (this.#robust) return this.#takeRobust(n, timeoutMs);
    return timeoutMs !== 0 && this.#takeSlow(n, timeoutMs);
  }

  /**
   * #take's slow path for a plain semaphore. Kept apart so that the closures it makes cost nothing on
   * the fast path (variables they capture would be heap-allocated on every call of the function).
   */
  #takeSlow(n: number, timeoutMs: number): boolean {
    const i32 = this.#i32;
    const base = this.#base;
    const park = (ms: number) =>
      parkUntil(i32, base + COUNT, ms, 'Semaphore.acquire()', () => tryTake(i32, base, n));
    return registered(i32, base, () => this.#waitReporting(n, timeoutMs, park));
  }

  /** #take's slow path for a robust semaphore: reclaims dead holders' permits while it waits. */
  #takeRobust(n: number, timeoutMs: number): boolean {
    const i32 = this.#i32;
    const base = this.#base;
    const attempt = new RobustAttempt(i32, base, n);
    // A zero timeout never waits, but still gives back what dead holders held (as Mutex.tryLock()).
    const park = (ms: number) =>
      parkUntil(i32, base + COUNT, ms, 'Semaphore.acquire()', attempt.check, OWNER_CHECK_MS);
    const taken =
      timeoutMs === 0
        ? attempt.check() === null
        : registered(i32, base, () => this.#waitReporting(n, timeoutMs, park));
    if (taken) this.#acquired(n, attempt.reclaimed);
    return taken;
  }

  /** A blocking wait for `n` permits, split once for the slow-lock report of the diagnostics. */
  #waitReporting(n: number, timeoutMs: number, park: (ms: number) => boolean): boolean {
    return waitReporting(timeoutMs, park, (waited) => reportSlowSemaphore(this.#i32, this.#base, n, waited));
  }

  /**
   * Robust: records `n` permits just taken as this thread's; throws OwnerDiedError holding them if
   * this acquisition gave back a dead holder's permits.
   */
  #acquired(n: number, reclaimed: boolean): void {
    const recycled = this.#holdings!.record(n);
    if (reclaimed || recycled) throw ownerDied(n, () => this.release(n));
  }

  /** Robust: records `n` permits about to be released, or throws NotOwnerError changing nothing. */
  #unrecord(n: number): void {
    const holdings = this.#holdings!;
    if (holdings.unrecord(n)) return;
    throw new NotOwnerError(
      `Semaphore.release(${n}): this thread holds ${holdings.held} of its permits; permits of a robust Semaphore must be released by the thread that acquired them`,
    );
  }
}

registerShareable({ name: 'Semaphore', type: Semaphore, revive: (data) => Semaphore.from(data) });
