import { NotOwnerError } from '../errors.js';

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
   * Releases the lock. Throws {@link NotOwnerError} if this guard was already released.
   * Disposing (`using`) a guard that was already released explicitly does nothing.
   */
  unlock(): void;
}

/** @internal */
export class Guard implements MutexGuard {
  // The lock this guard releases; undefined once released, so a guard releases at most once.
  #lock: { unlock(): void } | undefined;

  constructor(lock: { unlock(): void }) {
    this.#lock = lock;
  }

  unlock(): void {
    const lock = this.#lock;
    if (lock === undefined) throw new NotOwnerError('This MutexGuard was already released');
    this.#lock = undefined;
    lock.unlock();
  }

  [Symbol.dispose](): void {
    if (this.#lock !== undefined) this.unlock();
  }
}
