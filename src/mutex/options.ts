// The options of Mutex's constructor and of Mutex.lockAsync/withLockAsync, with their documentation
// (each field's meaning and default). Kept apart from mutex.ts, which has the class and its fast paths.
/**
 * Options of {@link Mutex}'s constructor.
 *
 * @example
 * ```ts
 * import { Mutex } from 'threadkit/mutex';
 * const shared = new SharedArrayBuffer(2 * Mutex.BYTES); // two mutexes in one buffer
 * const plain = new Mutex({ buffer: shared });
 * const nested = new Mutex({ buffer: shared, byteOffset: Mutex.BYTES, reentrant: true });
 * nested.withLock(() => nested.withLock(() => console.log(nested.isHeldByCurrentThread))); // true
 * console.log(plain.isLocked); // false
 * ```
 */
export interface MutexOptions {
  /**
   * Shared memory to place the mutex in, so that many primitives can share one buffer. It must be a
   * `SharedArrayBuffer` with {@link Mutex.BYTES} bytes free at `byteOffset`.
   * @default a new SharedArrayBuffer of Mutex.BYTES bytes
   */
  readonly buffer?: SharedArrayBuffer | undefined;
  /**
   * Byte offset of the mutex in `buffer`; a multiple of 4.
   * @default 0
   */
  readonly byteOffset?: number | undefined;
  /**
   * Let the owning thread lock again without deadlocking (Python's `RLock`); each `lock()` needs its
   * own `unlock()`.
   * @default false
   */
  readonly reentrant?: boolean | undefined;
}

/**
 * Options of {@link Mutex.lockAsync} and {@link Mutex.withLockAsync}.
 *
 * @example
 * ```ts
 * import { Mutex } from 'threadkit/mutex';
 * const mutex = new Mutex();
 * const controller = new AbortController();
 * {
 *   using _ = await mutex.lockAsync({ signal: controller.signal, timeoutMs: 1000 });
 *   // ... critical section ...
 * }
 * await mutex.withLockAsync(
 *   async () => {
 *     // ... critical section ...
 *   },
 *   { timeoutMs: 1000 },
 * );
 * ```
 */
export interface LockAsyncOptions {
  /** Abort the wait; the promise rejects with `signal.reason`. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Give up after this many milliseconds; the promise rejects with a {@link TimeoutError}.
   * @default Infinity
   */
  readonly timeoutMs?: number | undefined;
}
