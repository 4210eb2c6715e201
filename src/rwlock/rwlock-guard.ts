import { ReleaseGuard } from '../internal/release-guard.js';
import { registerThreadBound } from '../internal/thread-bound.js';

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

/** @internal */
export class RwGuard extends ReleaseGuard implements RwLockGuard {
  constructor(release: () => void) {
    super(release, 'This RwLockGuard');
  }
}

registerThreadBound({
  name: 'RwLockGuard',
  type: RwGuard,
  what: 'an RwLockGuard',
  advice:
    'an RwLockGuard belongs to the thread that locked its RwLock. Pass the RwLock instead, and lock ' +
    'it inside the other thread',
});
