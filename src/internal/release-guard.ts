// The guard behind every held lock that is not a Mutex (RwLock read and write guards, the permits
// carried by a robust Semaphore's OwnerDiedError): it runs a release function at most once.
import { NotOwnerError } from '../errors.js';
import { registerThreadBound } from './thread-bound.js';

/** @internal */
export class ReleaseGuard implements Disposable {
  // Releases what the guard holds; undefined once released, so a guard releases at most once.
  #release: (() => void) | undefined;
  // Named in the error of a second unlock(), e.g. 'This RwLockGuard'.
  readonly #what: string;

  constructor(release: () => void, what: string) {
    this.#release = release;
    this.#what = what;
  }

  /** Releases; throws NotOwnerError if this guard already did. */
  unlock(): void {
    const release = this.#release;
    if (release === undefined) throw new NotOwnerError(`${this.#what} was already released`);
    this.#release = undefined;
    release();
  }

  /** Releases, unless already released (a `using` declaration after an explicit unlock()). */
  [Symbol.dispose](): void {
    if (this.#release !== undefined) this.unlock();
  }
}

// Only its own instances (a robust Semaphore's permits, carried by OwnerDiedError.guard); subclasses
// (RwLock's guards) register apart, under their own names.
registerThreadBound({
  name: 'HeldLock',
  type: ReleaseGuard,
  matches: (value) => Object.getPrototypeOf(value) === ReleaseGuard.prototype,
  advice:
    "a HeldLock (an OwnerDiedError's guard) belongs to the thread that holds the lock. Release it " +
    'there, and pass the lock itself to the other thread to acquire there',
});
