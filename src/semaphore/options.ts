// The options of Semaphore's constructor and of Semaphore.acquireAsync, with their documentation (each
// field's meaning and default). Kept apart from semaphore.ts, which has the class and its fast paths.
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
  readonly max?: number | undefined;
  /**
   * Shared memory to place the semaphore in; a `SharedArrayBuffer` with {@link Semaphore.BYTES} bytes
   * free at `byteOffset`.
   * @default a new SharedArrayBuffer of Semaphore.BYTES bytes
   */
  readonly buffer?: SharedArrayBuffer | undefined;
  /**
   * Byte offset of the semaphore in `buffer`; a multiple of 4.
   * @default 0
   */
  readonly byteOffset?: number | undefined;
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
  readonly robust?: boolean | undefined;
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
  readonly signal?: AbortSignal | undefined;
  /**
   * Give up after this many milliseconds; the promise rejects with a {@link TimeoutError}.
   * @default Infinity
   */
  readonly timeoutMs?: number | undefined;
}
