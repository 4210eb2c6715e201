import { NotOwnerError } from '../errors.js';
import { holds } from './hold.js';
import { registerThreadBound } from '../internal/thread-bound.js';

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

/**
 * The question every build's guards answer (see {@link Guard.isCurrent}): the ESM and CommonJS builds
 * of the package can both be loaded into one thread, each with its own Guard class whose private
 * fields the other cannot read, so a Condition of one build asks a guard of the other through this
 * registered symbol. Versioned: a change to its meaning takes a new key.
 */
const IS_CURRENT: unique symbol = Symbol.for('threadkit.mutex.guard.isCurrent.v1');

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

  /**
   * Whether `guard` is a guard of the mutex at `base` of `buffer` whose hold this thread still has: a
   * guard of this build, or of another build of the package loaded into this thread.
   */
  static isCurrent(guard: unknown, buffer: SharedArrayBuffer, base: number): boolean {
    const ask = (guard as { [IS_CURRENT]?: unknown } | null | undefined)?.[IS_CURRENT];
    return typeof ask === 'function' && (ask as Guard[typeof IS_CURRENT]).call(guard, buffer, base) === true;
  }

  /** {@link Guard.isCurrent} for this guard; any build's Guard.isCurrent may call it. */
  [IS_CURRENT](buffer: SharedArrayBuffer, base: number): boolean {
    return (
      this.#i32.buffer === buffer &&
      this.#base === base &&
      this.#lock !== undefined &&
      holds(this.#i32, this.#base, this.#hold)
    );
  }

  [Symbol.dispose](): void {
    // A hold that already ended (released explicitly, by this guard or through the mutex) is left alone.
    const lock = this.#lock;
    if (lock === undefined) return;
    this.#lock = undefined;
    if (holds(this.#i32, this.#base, this.#hold)) lock.unlock();
  }
}

registerThreadBound({
  name: 'MutexGuard',
  type: Guard,
  advice:
    'a MutexGuard belongs to the thread that locked its Mutex. Pass the Mutex instead, and lock it ' +
    'inside the other thread',
});
