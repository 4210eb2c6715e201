/**
 * Error classes thrown by threadkit. Every error has a stable {@link ThreadkitError.code} to match on
 * (never match on message text) and a `name` equal to its class name.
 *
 * @module
 */

/**
 * Base class of every error threadkit throws for misuse, timeouts and thread failures.
 *
 * @example
 * ```ts
 * import { Mutex, ThreadkitError } from 'threadkit';
 * const m = new Mutex();
 * try {
 *   m.unlock();
 * } catch (err) {
 *   if (err instanceof ThreadkitError) console.log(err.code); // 'ERR_NOT_OWNER'
 * }
 * ```
 */
export class ThreadkitError extends Error {
  /** A stable, machine-readable code such as `ERR_NOT_OWNER`. */
  readonly code: string;

  /**
   * @param code - the stable error code
   * @param message - a human-readable explanation
   * @param options - standard error options (`cause`)
   */
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * Thrown when a thread unlocks (or otherwise releases) a lock it does not hold.
 *
 * @example
 * ```ts
 * import { Mutex, NotOwnerError } from 'threadkit';
 * const m = new Mutex();
 * try { m.unlock(); } catch (err) { console.log(err instanceof NotOwnerError); } // true
 * ```
 */
export class NotOwnerError extends ThreadkitError {
  /** @param message - what was released and by whom */
  constructor(message: string) {
    super('ERR_NOT_OWNER', message);
  }
}

/**
 * Thrown at once, instead of hanging forever, when a blocking call can never succeed: relocking a
 * non-reentrant mutex the current thread already holds.
 *
 * @example
 * ```ts
 * import { Mutex, DeadlockError } from 'threadkit';
 * const m = new Mutex();
 * using g = m.lock();
 * try { m.lock(); } catch (err) { console.log(err instanceof DeadlockError); } // true
 * ```
 */
export class DeadlockError extends ThreadkitError {
  /** @param message - which call would have deadlocked */
  constructor(message: string) {
    super('ERR_DEADLOCK', message);
  }
}

/**
 * Rejection reason of an asynchronous wait whose `timeoutMs` elapsed. Its `name` is `'TimeoutError'`,
 * like the DOM's `AbortSignal.timeout()` reason. Synchronous timed calls never throw it: they return
 * `null` or `false`.
 *
 * @example
 * ```ts
 * import { Mutex, TimeoutError } from 'threadkit';
 * const m = new Mutex();
 * try {
 *   await m.lockAsync({ timeoutMs: 10 });
 * } catch (err) {
 *   if (err instanceof TimeoutError) console.log('busy');
 * }
 * ```
 */
export class TimeoutError extends ThreadkitError {
  /** @param message - what timed out and after how long */
  constructor(message: string) {
    super('ERR_TIMEOUT', message);
  }
}

/**
 * Thrown by a bounded {@link Semaphore}'s `release()` when it would raise the permit count above its
 * `max` (Python's `BoundedSemaphore` raises `ValueError` there): a release without a matching acquire.
 *
 * @example
 * ```ts
 * import { Semaphore, SemaphoreOverflowError } from 'threadkit';
 * const s = new Semaphore(1, { max: 1 });
 * try { s.release(); } catch (err) { console.log(err instanceof SemaphoreOverflowError); } // true
 * ```
 */
export class SemaphoreOverflowError extends ThreadkitError {
  /** @param message - how many permits were released and what the bound is */
  constructor(message: string) {
    super('ERR_SEMAPHORE_OVERFLOW', message);
  }
}

/**
 * Thrown (or rejected with) by `Barrier.wait()` when the barrier is broken: it was aborted, reset, or
 * another party timed out or was aborted while waiting, so this generation can never complete.
 *
 * @example
 * ```ts
 * import { Barrier, BrokenBarrierError } from 'threadkit';
 * const b = new Barrier(2);
 * b.abort();
 * try { b.wait(); } catch (err) { console.log(err instanceof BrokenBarrierError); } // true
 * ```
 */
export class BrokenBarrierError extends ThreadkitError {
  /** @param message - why the barrier is broken */
  constructor(message: string) {
    super('ERR_BROKEN_BARRIER', message);
  }
}

/**
 * Thrown by a blocking call (such as `Mutex.lock()`) on a thread where the runtime forbids blocking,
 * for example a browser's main thread. Use the `…Async` form there.
 *
 * @example
 * ```ts
 * import { Mutex, BlockingNotAllowedError } from 'threadkit';
 * const m = new Mutex();
 * try { m.lock().unlock(); } catch (err) {
 *   if (err instanceof BlockingNotAllowedError) await m.withLockAsync(() => {});
 * }
 * ```
 */
export class BlockingNotAllowedError extends ThreadkitError {
  /** @param message - which call blocked and what to use instead */
  constructor(message: string) {
    super('ERR_BLOCKING_NOT_ALLOWED', message);
  }
}

/**
 * Thrown when shared memory holds a value no correct use of the primitive can produce (for example a
 * lock word overwritten by unrelated code). It signals memory corruption, not a race.
 *
 * @example
 * ```ts
 * import { InconsistentStateError } from 'threadkit';
 * const err = new InconsistentStateError('Mutex lock word is 0x7fffffff');
 * console.log(err.code); // 'ERR_INCONSISTENT_STATE'
 * ```
 */
export class InconsistentStateError extends ThreadkitError {
  /** @param message - the impossible state that was seen */
  constructor(message: string) {
    super('ERR_INCONSISTENT_STATE', message);
  }
}
