import { NotOwnerError } from '../errors.js';
import { holds } from './hold.js';

/**
 * Proof that the current thread holds a {@link Mutex}. Release it with `unlock()`, or let a `using`
 * declaration release it when the block exits, normally or by an exception.
 *
 * @example
 * ```ts
 * import { Mutex } from 'threadkit/mutex';
 * const m = new Mutex();
 * {
 *   using guard = m.lock();
 *   // ... critical section ...
 * } // released here, even if the block throws
 * ```
 */
export interface MutexGuard extends Disposable {
  /**
   * Releases the lock. Throws {@link NotOwnerError} if this guard was already released, or if its hold
   * already ended another way (`mutex.unlock()`): a guard never releases a later hold of the mutex.
   * Disposing (`using`) a guard whose hold already ended, by either way, does nothing.
   */
  unlock(): void;
}

/** @internal */
export class Guard implements MutexGuard {
  // The lock this guard releases; undefined once this guard released it, so it releases at most once.
  #lock: { unlock(): void } | undefined;
  readonly #i32: Int32Array;
  readonly #base: number;
  // Which hold of the lock is this guard's (see hold.ts): once that hold ended some other way, the guard
  // must not release a later one.
  readonly #hold: number;

  constructor(lock: { unlock(): void }, i32: Int32Array, base: number, hold: number) {
    this.#lock = lock;
    this.#i32 = i32;
    this.#base = base;
    this.#hold = hold;
  }

  unlock(): void {
    const lock = this.#lock;
    if (lock === undefined) throw new NotOwnerError('This MutexGuard was already released');
    this.#lock = undefined;
    if (!holds(this.#i32, this.#base, this.#hold)) {
      throw new NotOwnerError(
        "This MutexGuard's hold already ended: its Mutex was released another way (mutex.unlock(), or a dead thread's takeover)",
      );
    }
    lock.unlock();
  }

  /** Whether `guard` is a guard of the mutex at `base` of `buffer` whose hold this thread still has. */
  static isCurrent(guard: unknown, buffer: SharedArrayBuffer, base: number): boolean {
    return (
      guard instanceof Guard &&
      guard.#i32.buffer === buffer &&
      guard.#base === base &&
      guard.#lock !== undefined &&
      holds(guard.#i32, guard.#base, guard.#hold)
    );
  }

  [Symbol.dispose](): void {
    // A hold that already ended (released explicitly, by this guard or through the mutex) is left alone.
    if (this.#lock !== undefined && holds(this.#i32, this.#base, this.#hold)) this.unlock();
    this.#lock = undefined;
  }
}
