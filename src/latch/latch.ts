import { TimeoutError } from '../errors.js';
import { registerShareable } from '../internal/codec.js';
import { parkUntil, parkUntilAsync } from '../internal/park.js';
import { claimTagged, openTagged } from '../internal/tagged.js';
import { checkOptions, placeSlots, checkTimeout, type OptionKeys } from '../internal/validate.js';
import { checkCount } from '../internal/validate-count.js';
import { checkWaitAsyncOptions, type WaitAsyncOptions } from '../internal/wait-options.js';
import { COUNT, LATCH_TAG, SLOTS, TAG, countDown, latchCheck } from './raw-latch.js';

/**
 * Options of {@link CountDownLatch}'s constructor.
 *
 * @example
 * ```ts
 * import { CountDownLatch } from 'threadkit/latch';
 * const shared = new SharedArrayBuffer(2 * CountDownLatch.BYTES); // two latches in one buffer
 * const started = new CountDownLatch(2, { buffer: shared });
 * const finished = new CountDownLatch(2, { buffer: shared, byteOffset: CountDownLatch.BYTES });
 * started.countDown();
 * console.log(started.count, finished.count); // 1 2
 * ```
 */
export interface CountDownLatchOptions {
  /**
   * Shared memory to place the latch in; a `SharedArrayBuffer` with {@link CountDownLatch.BYTES} bytes
   * free at `byteOffset`.
   * @default a new SharedArrayBuffer of CountDownLatch.BYTES bytes
   */
  readonly buffer?: SharedArrayBuffer | undefined;
  /**
   * Byte offset of the latch in `buffer`; a multiple of 4.
   * @default 0
   */
  readonly byteOffset?: number | undefined;
}

/** Every key of {@link CountDownLatchOptions}: checkOptions refuses any other. */
const LATCH_KEYS: OptionKeys<CountDownLatchOptions> = { buffer: true, byteOffset: true };

/**
 * A one-shot gate that opens after `count` calls to `countDown()`: Java's `CountDownLatch` on shared
 * memory. Waiters block until the count reaches zero; from then on the latch stays open for good.
 *
 * Typical uses: wait until N workers have started, or until N parts of a job are done. Unlike a
 * {@link Barrier}, the threads counting down do not wait, and the latch cannot be reused.
 *
 * Memory ordering: everything a thread wrote before its `countDown()` is visible to every thread after
 * its `wait()` returns true.
 *
 * Share it by passing it to a {@link Thread} or {@link ThreadPool} task, or post it and call
 * {@link CountDownLatch.from} on what arrives.
 *
 * @example
 * ```ts
 * import { CountDownLatch } from 'threadkit/latch';
 * const parts = new CountDownLatch(3);
 * for (let i = 0; i < 3; i++) setTimeout(() => parts.countDown(), i);
 * await parts.waitAsync();
 * console.log(parts.count); // 0
 * ```
 */
export class CountDownLatch {
  /** Bytes one latch occupies in a caller-supplied buffer (see {@link CountDownLatchOptions.buffer}). */
  static readonly BYTES: number = SLOTS * 4;

  /** The shared memory holding the count. */
  readonly buffer: SharedArrayBuffer;
  /** Byte offset of the latch within {@link CountDownLatch.buffer}. */
  readonly byteOffset: number;

  readonly #i32: Int32Array;
  // Int32 index of the first slot; all slot constants are relative to it.
  readonly #base: number;

  /**
   * Creates a latch that opens after `count` count-downs, or opens the one already at `byteOffset` of
   * `buffer` (its current count is kept and `count` is ignored).
   *
   * @param count - count-downs needed to open it; 0 creates it open
   * @param options - where to place it
   * @throws TypeError if `count` is not a number, `buffer` is not a SharedArrayBuffer, or the memory
   * holds something else
   * @throws TypeError if `options` has a key it does not know (naming the key)
   * @throws RangeError if `count` is not a non-negative integer, or `byteOffset` is misaligned or out of range
   */
  constructor(count: number, options?: CountDownLatchOptions) {
    if (count === undefined) throw new TypeError('Expected `count` to be an integer, got undefined');
    const initial = checkCount(
      count,
      'count',
      0,
      0,
      undefined,
      'the options go second: new CountDownLatch(count, options)',
    );
    const opts = checkOptions<CountDownLatchOptions>(options, LATCH_KEYS, 'new CountDownLatch()');
    const slots = placeSlots(opts, CountDownLatch.BYTES);
    this.buffer = slots.buffer;
    this.byteOffset = slots.byteOffset;
    this.#i32 = slots.i32;
    this.#base = slots.base;
    claimTagged(slots, TAG, LATCH_TAG, 'CountDownLatch', () =>
      Atomics.store(slots.i32, slots.base + COUNT, initial),
    );
  }

  /**
   * Revives a latch from its structured clone (what arrives through `postMessage` or `workerData`).
   *
   * @param handle - `structuredClone(latch)`, or any object with its `buffer` and `byteOffset`
   * @returns a `CountDownLatch` using the same shared memory
   * @throws TypeError if `handle` is not the clone of a latch
   * @example
   * ```ts
   * import { CountDownLatch } from 'threadkit/latch';
   * const l = new CountDownLatch(1);
   * CountDownLatch.from(structuredClone(l)).countDown();
   * console.log(l.count); // 0
   * ```
   */
  static from(handle: unknown): CountDownLatch {
    if (handle instanceof CountDownLatch) return handle;
    const slots = openTagged(handle, CountDownLatch.BYTES, TAG, LATCH_TAG, 'CountDownLatch');
    return new CountDownLatch(0, { buffer: slots.buffer, byteOffset: slots.byteOffset });
  }

  /**
   * Decrements the count; the call that brings it to zero releases every waiter. Never blocks. On an
   * open latch it does nothing (as in Java), so extra count-downs are harmless.
   *
   * @example
   * ```ts
   * import { CountDownLatch } from 'threadkit/latch';
   * const l = new CountDownLatch(2);
   * l.countDown();
   * console.log(l.count); // 1
   * ```
   */
  countDown(): void {
    countDown(this.#i32, this.#base);
  }

  /**
   * The count-downs still needed to open the latch (a snapshot; 0 once open).
   *
   * @example
   * ```ts
   * import { CountDownLatch } from 'threadkit/latch';
   * console.log(new CountDownLatch(4).count); // 4
   * ```
   */
  get count(): number {
    return Atomics.load(this.#i32, this.#base + COUNT);
  }

  /**
   * Blocks the thread (with `Atomics.wait`) until the count reaches zero, or `timeoutMs` passes.
   *
   * @param timeoutMs - how long to wait, in milliseconds (0: just test)
   * @default timeoutMs Infinity
   * @returns true if the latch is open, false on timeout
   * @throws RangeError if `timeoutMs` is negative or NaN
   * @throws BlockingNotAllowedError if it would block on a thread that may not block
   * @example
   * ```ts
   * import { CountDownLatch } from 'threadkit/latch';
   * const l = new CountDownLatch(1);
   * console.log(l.wait(10)); // false: nobody counted down
   * ```
   */
  wait(timeoutMs?: number): boolean {
    const t = checkTimeout(timeoutMs, 'timeoutMs', 'wait(100), or waitAsync({ timeoutMs: 100 })');
    return parkUntil(
      this.#i32,
      this.#base + COUNT,
      t,
      'CountDownLatch.wait()',
      latchCheck(this.#i32, this.#base),
    );
  }

  /**
   * Waits for the latch to open without blocking the event loop. While it waits it keeps a Node process
   * alive.
   *
   * @param options - `signal` to abort the wait, `timeoutMs` to bound it
   * @throws TimeoutError (rejects) if `timeoutMs` passes first
   * @throws the signal's `reason` (rejects) if aborted
   * @example
   * ```ts
   * import { CountDownLatch } from 'threadkit/latch';
   * const l = new CountDownLatch(1);
   * setTimeout(() => l.countDown(), 5);
   * await l.waitAsync({ timeoutMs: 1000 });
   * ```
   */
  async waitAsync(options?: WaitAsyncOptions): Promise<void> {
    const { signal, timeoutMs } = checkWaitAsyncOptions(options, 'CountDownLatch.waitAsync()');
    // No onAbandoned: the only notify wakes all (I2 of raw-latch).
    const check = latchCheck(this.#i32, this.#base);
    if (!(await parkUntilAsync(this.#i32, this.#base + COUNT, timeoutMs, signal, check))) {
      throw new TimeoutError(
        `CountDownLatch.waitAsync() timed out after ${timeoutMs} ms (count ${this.count})`,
      );
    }
  }
}

registerShareable({
  name: 'CountDownLatch',
  type: CountDownLatch,
  revive: (data) => CountDownLatch.from(data),
});
