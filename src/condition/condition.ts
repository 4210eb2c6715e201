import { BlockingNotAllowedError, NotOwnerError, OwnerDiedError, TimeoutError } from '../errors.js';
import { isShareable, registerShareable } from '../internal/codec.js';
import { waitOnceAsync } from '../internal/park.js';
import { canBlock, now } from '../internal/runtime.js';
import { claimTagged, openTagged } from '../internal/tagged.js';
import { checkOptions, placeSlots, checkTimeout, describe, type OptionKeys } from '../internal/validate.js';
import { checkCount } from '../internal/validate-count.js';
import {
  guardError,
  predicateError,
  WAIT_FOR_TIMEOUT_USAGE,
  WAIT_TIMEOUT_USAGE,
  type ConditionWait,
} from './arguments.js';
import { syncResult, type SyncHelper } from '../internal/sync-result.js';
import { checkWaitAsyncOptions, type WaitAsyncOptions } from '../internal/wait-options.js';
import { waitSync } from '../internal/wait.js';
import { Mutex, type MutexGuard } from '../mutex/index.js';
import { currentHold, restoreHold } from '../mutex/hold.js';
import { Guard } from '../mutex/mutex-guard.js';
import { DEPTH } from '../mutex/raw-mutex.js';
import { CONDITION_TAG, SEQ, SLOTS, TAG, enter, evict, leave, signal } from './raw-condition.js';

/** How waitFor()/waitForAsync() name themselves when the predicate returns a Promise (see sync-result.ts). */
const predicateHelper = (method: string): SyncHelper => ({
  method,
  param: 'predicate',
  problem: 'cannot await a predicate (a Promise is truthy, so the wait would end before checking)',
  advice: 'compute the condition synchronously, over state the mutex protects',
});
const WAIT_FOR = predicateHelper('Condition.waitFor()');
const WAIT_FOR_ASYNC = predicateHelper('Condition.waitForAsync()');

/** What a wait saves of its mutex's owner-only state, to restore after relocking. */
type SavedHold = { depth: number; hold: number };

/**
 * Options of {@link Condition}'s constructor.
 *
 * @example
 * ```ts
 * import { Mutex } from 'threadkit/mutex';
 * import { Condition } from 'threadkit/condition';
 * const shared = new SharedArrayBuffer(Mutex.BYTES + Condition.BYTES); // the mutex and its condition
 * const mutex = new Mutex({ buffer: shared });
 * const changed = new Condition(mutex, { buffer: shared, byteOffset: Mutex.BYTES });
 * mutex.withLock(() => changed.notifyAll());
 * ```
 */
export interface ConditionOptions {
  /**
   * Shared memory to place the condition in; a `SharedArrayBuffer` with {@link Condition.BYTES} bytes
   * free at `byteOffset`. (The mutex lives wherever it was created.)
   * @default a new SharedArrayBuffer of Condition.BYTES bytes
   */
  readonly buffer?: SharedArrayBuffer | undefined;
  /**
   * Byte offset of the condition in `buffer`; a multiple of 4.
   * @default 0
   */
  readonly byteOffset?: number | undefined;
}

/** Every key of {@link ConditionOptions}: checkOptions refuses any other. */
const CONDITION_KEYS: OptionKeys<ConditionOptions> = { buffer: true, byteOffset: true };

/**
 * A condition variable bound to a {@link Mutex}: Python's `threading.Condition` on shared memory.
 * A thread holding the mutex calls `wait()` to release it and sleep until another thread calls
 * `notify()`; it holds the mutex again when `wait()` returns. Wake-ups may be spurious, so wait in a
 * loop on your predicate, or use {@link Condition.waitFor}. No notify is ever lost: one that happens
 * after a waiter released the mutex always reaches it (or another waiter).
 *
 * Memory ordering: the mutex provides it. What a thread wrote under the mutex before `notify()` and
 * `unlock()` is visible to a waiter once its `wait()` returns.
 *
 * Share it by passing it to a {@link Thread} or {@link ThreadPool} task, or post it and call
 * {@link Condition.from} on what arrives (its mutex comes along).
 *
 * @example
 * ```ts
 * import { Mutex } from 'threadkit/mutex';
 * import { Condition } from 'threadkit/condition';
 * const mutex = new Mutex();
 * const ready = new Condition(mutex);
 * const flag = new Int32Array(new SharedArrayBuffer(4));
 * setTimeout(() => mutex.withLock(() => { flag[0] = 1; ready.notifyAll(); }), 5);
 * using guard = await mutex.lockAsync();
 * while (flag[0] === 0) await ready.waitAsync(guard);
 * ```
 */
export class Condition {
  /** Bytes one condition occupies in a caller-supplied buffer (see {@link ConditionOptions.buffer}). */
  static readonly BYTES: number = SLOTS * 4;

  /**
   * The mutex that `wait()` releases and reacquires: the one given to the constructor, or, for a Mutex
   * of the package's other build (ESM or CommonJS) loaded into the same thread, a Mutex of this build
   * on the same lock.
   */
  readonly mutex: Mutex;
  /** The shared memory holding the condition's sequence counter. */
  readonly buffer: SharedArrayBuffer;
  /** Byte offset of the condition within {@link Condition.buffer}. */
  readonly byteOffset: number;

  readonly #i32: Int32Array;
  // Int32 index of the first slot; all slot constants are relative to it.
  readonly #base: number;
  // The mutex's memory, to save and restore across a wait what only its owner touches: a reentrant
  // mutex's depth, and the hold id that keeps the caller's guard valid (src/mutex/hold.ts).
  readonly #mutexMem: { readonly i32: Int32Array; readonly base: number };

  /**
   * Creates a condition bound to `mutex`, or opens the one already at `byteOffset` of `buffer`.
   *
   * @param mutex - the mutex guarding the state the condition is about (a Mutex of either build, ESM
   * or CommonJS, of the package; waits then take the guards of its `lock()` calls)
   * @param options - where to place it
   * @throws TypeError if `mutex` is not a Mutex, `buffer` is not a SharedArrayBuffer, or the memory
   * holds something else
   * @throws TypeError if `options` has a key it does not know (naming the key)
   * @throws RangeError if `byteOffset` is misaligned or leaves no room for {@link Condition.BYTES} bytes
   */
  constructor(mutex: Mutex, options?: ConditionOptions) {
    // A Mutex of the package's other build (ESM or CommonJS, both loaded into this thread) is the same
    // lock: the condition keeps this build's view of it, so that its waits throw this build's errors.
    if (!isShareable(mutex, 'Mutex'))
      throw new TypeError(`Expected \`mutex\` to be a Mutex, got ${describe(mutex)}`);
    const opts = checkOptions<ConditionOptions>(options, CONDITION_KEYS, 'new Condition()');
    const slots = placeSlots(opts, Condition.BYTES);
    this.mutex = mutex instanceof Mutex ? mutex : Mutex.from(mutex);
    this.buffer = slots.buffer;
    this.byteOffset = slots.byteOffset;
    this.#i32 = slots.i32;
    this.#base = slots.base;
    this.#mutexMem = { i32: new Int32Array(this.mutex.buffer), base: this.mutex.byteOffset >> 2 };
    claimTagged(slots, TAG, CONDITION_TAG, 'Condition', () => {});
  }

  /**
   * Revives a condition (and its mutex) from its structured clone.
   *
   * @param handle - `structuredClone(condition)`: its `buffer`, `byteOffset` and cloned `mutex`
   * @returns a `Condition` using the same shared memory, bound to the same mutex
   * @throws TypeError if `handle` is not the clone of a condition
   * @example
   * ```ts
   * import { Mutex } from 'threadkit/mutex';
   * import { Condition } from 'threadkit/condition';
   * const c = new Condition(new Mutex());
   * const same = Condition.from(structuredClone(c));
   * same.notifyAll();
   * ```
   */
  static from(handle: unknown): Condition {
    if (handle instanceof Condition) return handle;
    const slots = openTagged(handle, Condition.BYTES, TAG, CONDITION_TAG, 'Condition');
    const mutex = Mutex.from((handle as { mutex?: unknown }).mutex);
    return new Condition(mutex, { buffer: slots.buffer, byteOffset: slots.byteOffset });
  }

  /**
   * Releases the mutex, blocks (with `Atomics.wait`) until notified or `timeoutMs` passes, then
   * reacquires the mutex (blocking, untimed) before returning. A reentrant mutex is released and
   * restored at its full depth. May return early (spuriously): re-check your predicate.
   *
   * @param guard - the guard of the current thread's lock on {@link Condition.mutex}
   * @param timeoutMs - how long to wait for a notify, in milliseconds
   * @default timeoutMs Infinity
   * @returns false if `timeoutMs` passed without a notify, else true; the mutex is held either way
   * @throws NotOwnerError if the current thread does not hold the mutex (nothing is released)
   * @throws BlockingNotAllowedError on a thread that may not block (use {@link Condition.waitAsync})
   * @throws TypeError or RangeError for a bad `guard` (not the current guard of this condition's mutex)
   * or `timeoutMs`
   * @throws OwnerDiedError if a thread died holding the mutex while this one waited: the mutex is held
   * again, through `guard` (which is also `error.guard`); repair the protected state, then release it
   * @example
   * ```ts
   * import { Mutex } from 'threadkit/mutex';
   * import { Condition } from 'threadkit/condition';
   * const m = new Mutex();
   * const c = new Condition(m);
   * using g = m.lock();
   * console.log(c.wait(g, 10)); // false: nobody notified
   * ```
   */
  wait(guard: MutexGuard, timeoutMs?: number): boolean {
    const t = checkTimeout(timeoutMs, 'timeoutMs', WAIT_TIMEOUT_USAGE);
    this.#checkHeld(guard, 'wait');
    if (!canBlock()) {
      throw new BlockingNotAllowedError(
        'Condition.wait() would block, and this thread may not block (a browser main thread); use waitAsync() instead',
      );
    }
    const seq = enter(this.#i32, this.#base);
    const held = this.#release();
    try {
      // Sleeps only while SEQ still holds the value read under the mutex (I1 of raw-condition).
      return waitSync(this.#i32, this.#base + SEQ, seq, t, 'Condition.wait()') !== 'timed-out';
    } finally {
      leave(this.#i32, this.#base);
      this.#relock(held, guard);
    }
  }

  /**
   * Waits (as {@link Condition.wait}) until `predicate()` returns a truthy value, or `timeoutMs` passes.
   * The predicate runs with the mutex held, first before any waiting.
   *
   * @param guard - the guard of the current thread's lock on {@link Condition.mutex}
   * @param predicate - the condition to wait for, over state the mutex protects
   * @param timeoutMs - how long to wait in all, in milliseconds
   * @default timeoutMs Infinity
   * @returns the predicate's last result (falsy only on timeout); the mutex is held
   * @throws NotOwnerError, BlockingNotAllowedError, TypeError, RangeError as {@link Condition.wait}
   * @throws TypeError if `predicate` returns a Promise (a predicate must be synchronous; one typed to
   *   return a Promise is a type error too)
   * @example
   * ```ts
   * import { Mutex } from 'threadkit/mutex';
   * import { Condition } from 'threadkit/condition';
   * const m = new Mutex();
   * const c = new Condition(m);
   * const items: number[] = [1];
   * using g = m.lock();
   * const ok = c.waitFor(g, () => items.length > 0, 100); // true at once
   * ```
   */
  waitFor<T>(
    guard: MutexGuard,
    predicate: () => T extends PromiseLike<unknown> ? 'a synchronous predicate' : T,
    timeoutMs?: number,
  ): T {
    const deadline = now() + checkTimeout(timeoutMs, 'timeoutMs', WAIT_FOR_TIMEOUT_USAGE);
    if (typeof predicate !== 'function') throw predicateError(guard, predicate, 'waitFor');
    this.#checkHeld(guard, 'waitFor');
    for (;;) {
      const result = syncResult((predicate as () => T)(), WAIT_FOR);
      const left = deadline - now();
      if (result || left <= 0) return result;
      this.wait(guard, left);
    }
  }

  /**
   * Releases the mutex and waits for a notify without blocking the event loop, then reacquires the
   * mutex (with `lockAsync`, untimed) before settling, also when it rejects. While it waits it keeps
   * a Node process alive. May resolve spuriously: re-check your predicate. An aborted wait wakes this
   * condition's other waiters (a spurious wake-up for them), so that the runtime's entry it leaves
   * behind cannot swallow a notify meant for one of them.
   *
   * @param guard - the guard of the current thread's lock on {@link Condition.mutex}
   * @param options - `signal` to abort the wait, `timeoutMs` to bound it
   * @throws TimeoutError (rejects) if `timeoutMs` passes without a notify; the mutex is held again
   * @throws the signal's `reason` (rejects) if aborted; the mutex is held again
   * @throws NotOwnerError (rejects) if the current thread does not hold the mutex
   * @throws TypeError (rejects) for a bad `guard` (not the current guard of this condition's mutex)
   * @throws OwnerDiedError (rejects) if a thread died holding the mutex while this one waited: the mutex
   * is held again, through `guard` (also `error.guard`)
   * @example
   * ```ts
   * import { Mutex } from 'threadkit/mutex';
   * import { Condition } from 'threadkit/condition';
   * const m = new Mutex();
   * const c = new Condition(m);
   * setTimeout(() => c.notify(), 5);
   * using g = await m.lockAsync();
   * await c.waitAsync(g, { timeoutMs: 1000 });
   * ```
   */
  async waitAsync(guard: MutexGuard, options?: WaitAsyncOptions): Promise<void> {
    const { signal: abort, timeoutMs } = checkWaitAsyncOptions(options, 'Condition.waitAsync()');
    this.#checkHeld(guard, 'waitAsync');
    const i32 = this.#i32;
    const base = this.#base;
    const seq = enter(i32, base);
    const held = this.#release();
    let woken: boolean;
    try {
      if (abort?.aborted) throw abort.reason;
      // One wait, as the blocking wait does: only a notify ends it early ('timed-out' is not a notify,
      // even if SEQ moved meanwhile: that notify was for another waiter, so notify(n) wakes n). An
      // aborted wait is evicted from the waiter list at once, so it cannot absorb a notify meant for a
      // live waiter (I2 of raw-condition).
      const evictAbandoned = () => evict(i32, base);
      const outcome = await waitOnceAsync(i32, base + SEQ, seq, timeoutMs, abort, undefined, evictAbandoned);
      woken = outcome !== 'timed-out';
    } finally {
      leave(i32, base);
      await this.#relockAsync(held, guard);
    }
    if (!woken) throw new TimeoutError(`Condition.waitAsync() timed out after ${timeoutMs} ms`);
  }

  /**
   * Asynchronous {@link Condition.waitFor}: waits until `predicate()` is truthy, without blocking.
   *
   * @param guard - the guard of the current thread's lock on {@link Condition.mutex}
   * @param predicate - the condition to wait for, over state the mutex protects
   * @param options - `signal` to abort the wait, `timeoutMs` to bound it in all
   * @returns the predicate's truthy result; the mutex is held
   * @throws TimeoutError (rejects) if `timeoutMs` passes first; the mutex is held again
   * @throws the signal's `reason` (rejects) if aborted; the mutex is held again
   * @throws TypeError (rejects) if `predicate` returns a Promise (a predicate must be synchronous; one
   *   typed to return a Promise is a type error too)
   * @example
   * ```ts
   * import { Mutex } from 'threadkit/mutex';
   * import { Condition } from 'threadkit/condition';
   * const m = new Mutex();
   * const c = new Condition(m);
   * const queue: string[] = [];
   * setTimeout(() => m.withLock(() => { queue.push('job'); c.notify(); }), 5);
   * using g = await m.lockAsync();
   * await c.waitForAsync(g, () => queue.length > 0);
   * ```
   */
  async waitForAsync<T>(
    guard: MutexGuard,
    predicate: () => T extends PromiseLike<unknown> ? 'a synchronous predicate' : T,
    options?: WaitAsyncOptions,
  ): Promise<T> {
    const { signal: abort, timeoutMs } = checkWaitAsyncOptions(options, 'Condition.waitForAsync()');
    if (typeof predicate !== 'function') throw predicateError(guard, predicate, 'waitForAsync');
    const deadline = now() + timeoutMs;
    for (;;) {
      this.#checkHeld(guard, 'waitForAsync');
      const result = syncResult((predicate as () => T)(), WAIT_FOR_ASYNC);
      if (result) return result;
      const left = deadline - now();
      if (left <= 0) throw new TimeoutError(`Condition.waitForAsync() timed out after ${timeoutMs} ms`);
      await this.waitAsync(guard, { signal: abort, timeoutMs: left }).catch((err: unknown) => {
        if (!(err instanceof TimeoutError)) throw err;
      });
    }
  }

  /**
   * Wakes up to `n` threads or tasks waiting on this condition (none if nobody waits). Holding the
   * mutex is not required, but change the state the waiters test under the mutex. Never blocks.
   *
   * @param n - how many waiters to wake
   * @default n 1
   * @throws RangeError if `n` is not a positive integer
   * @example
   * ```ts
   * import { Mutex } from 'threadkit/mutex';
   * import { Condition } from 'threadkit/condition';
   * const c = new Condition(new Mutex());
   * c.notify(2);
   * ```
   */
  notify(n?: number): void {
    signal(this.#i32, this.#base, checkCount(n, 'n', 1, 1, undefined, 'notify(n) takes only a count'));
  }

  /**
   * Wakes every thread and task waiting on this condition. Never blocks.
   *
   * @example
   * ```ts
   * import { Mutex } from 'threadkit/mutex';
   * import { Condition } from 'threadkit/condition';
   * const c = new Condition(new Mutex());
   * c.notifyAll();
   * ```
   */
  notifyAll(): void {
    signal(this.#i32, this.#base, Infinity);
  }

  /** Throws unless `guard` is a live guard of this condition's mutex, held by the current thread. */
  #checkHeld(guard: unknown, method: ConditionWait): void {
    const g = guard as MutexGuard | null;
    if (g === null || typeof g !== 'object' || typeof g.unlock !== 'function')
      throw guardError(guard, method);
    if (!this.mutex.isHeldByCurrentThread) {
      throw new NotOwnerError(`Condition.${method}() needs the current thread to hold the condition's mutex`);
    }
    const { i32, base } = this.#mutexMem;
    if (!Guard.isCurrent(g, i32.buffer as SharedArrayBuffer, base)) {
      throw new TypeError(
        `Expected \`guard\` to be the current guard of the condition's mutex, got a guard of another mutex or of an ended hold`,
      );
    }
  }

  /** Fully releases the mutex (all levels of a reentrant one); returns what to restore after. */
  #release(): SavedHold {
    const { i32, base } = this.#mutexMem;
    const held = { depth: Atomics.load(i32, base + DEPTH), hold: currentHold(i32, base) };
    Atomics.store(i32, base + DEPTH, 0);
    this.mutex.unlock();
    return held;
  }

  /** Reacquires the mutex after a wait (blocking, untimed) and restores what {@link #release} saved. */
  #relock(held: SavedHold, guard: MutexGuard): void {
    try {
      this.mutex.lock();
    } catch (err) {
      throw this.#reacquireFailed(err, held, guard);
    }
    this.#restore(held);
  }

  /** {@link #relock} without blocking. */
  async #relockAsync(held: SavedHold, guard: MutexGuard): Promise<void> {
    try {
      await this.mutex.lockAsync();
    } catch (err) {
      throw this.#reacquireFailed(err, held, guard);
    }
    this.#restore(held);
  }

  /** After reacquiring the mutex: its reentrant depth, and the caller's hold, so its guard stays valid. */
  #restore(held: SavedHold): void {
    const { i32, base } = this.#mutexMem;
    if (held.depth !== 0) Atomics.store(i32, base + DEPTH, held.depth);
    restoreHold(i32, base, held.hold);
  }

  /**
   * The error for a reacquisition that threw. After a dead owner's takeover this thread holds the mutex
   * again: restore the caller's hold and report the death through the caller's own guard.
   */
  #reacquireFailed(err: unknown, held: SavedHold, guard: MutexGuard): unknown {
    if (!(err instanceof OwnerDiedError)) return err;
    this.#restore(held);
    return new OwnerDiedError(
      "A thread died holding the condition's Mutex while this thread waited; this thread holds the mutex again, through its own guard (also `error.guard`): repair the protected state before releasing it",
      guard,
    );
  }
}

registerShareable({ name: 'Condition', type: Condition, revive: (data) => Condition.from(data) });
