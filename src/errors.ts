/**
 * Error classes thrown by threadkit. Every error has a stable {@link ThreadkitError.code} to match on
 * (never match on message text) and a `name` equal to its class name.
 *
 * @module
 */
import { registerErrorClasses } from './internal/error-classes.js';

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
 * Thrown (or rejected with) by `Barrier.wait()` when the barrier is broken: `abort()` was called, or
 * a party timed out or was aborted while waiting, so this generation can never complete. A broken
 * barrier stays broken (there is no reset): create a new one.
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
 * A held lock, as carried by {@link OwnerDiedError.guard}: release it with `unlock()` or `using`.
 *
 * @example
 * ```ts
 * import { OwnerDiedError, type HeldLock } from 'threadkit';
 * const release = (err: OwnerDiedError) => {
 *   const held: HeldLock = err.guard;
 *   held.unlock();
 * };
 * ```
 */
export interface HeldLock extends Disposable {
  /** Releases the lock. */
  unlock(): void;
}

/**
 * Thrown by `Mutex.lock()` and `tryLock()` (and the rejection of `lockAsync()`) when the thread that
 * held the mutex died holding it: terminated, crashed, `process.exit()`, or killed for running out of
 * memory (POSIX's `EOWNERDEAD`). **The lock is acquired**: the current thread now holds it through
 * {@link OwnerDiedError.guard}. The data it protects may be half-updated; repair or reset it, then
 * release the guard. Only the first acquirer after the death gets this error; later ones lock normally.
 *
 * @example
 * ```ts
 * import { Mutex, OwnerDiedError } from 'threadkit';
 * const m = new Mutex();
 * let guard;
 * try {
 *   guard = m.lock();
 * } catch (err) {
 *   if (!(err instanceof OwnerDiedError)) throw err;
 *   guard = err.guard; // we hold the lock; the previous owner died inside its critical section
 *   // ... check or repair the shared state here ...
 * }
 * guard.unlock();
 * ```
 */
export class OwnerDiedError extends ThreadkitError {
  /** The guard of the lock the current thread now holds; release it as any guard. */
  readonly guard: HeldLock;

  /**
   * @param message - which lock died held
   * @param guard - the guard of the lock now held
   */
  constructor(message: string, guard: HeldLock) {
    super('ERR_OWNER_DIED', message);
    this.guard = guard;
  }
}

/**
 * Thrown, with diagnostics on (`setDiagnostics({ lockOrder: true })`), by a lock call that acquires two
 * mutexes in the opposite order to an earlier acquisition in the same thread: A then B before, B then
 * A now. Two threads doing that can deadlock; the error is raised before this call can block.
 *
 * @example
 * ```ts
 * import { LockOrderError } from 'threadkit';
 * const err = new LockOrderError('Lock-order inversion: ...');
 * console.log(err.code); // 'ERR_LOCK_ORDER'
 * ```
 */
export class LockOrderError extends ThreadkitError {
  /** @param message - the two locks and their earlier order */
  constructor(message: string) {
    super('ERR_LOCK_ORDER', message);
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

/**
 * Rejection reason of `Thread.join()` (and of a pool task) when the thread died without settling its
 * target: `process.exit()` inside it, exceeding its `resourceLimits`, `terminate()`, or an uncaught
 * error in a callback it scheduled. {@link ThreadExitError.exitCode} is the worker's exit code; `cause`
 * holds the runtime's error when there was one (for example `ERR_WORKER_OUT_OF_MEMORY`).
 *
 * @example
 * ```ts
 * import { spawn, ThreadExitError } from 'threadkit';
 * const t = spawn(() => process.exit(3));
 * try {
 *   await t.join();
 * } catch (err) {
 *   if (err instanceof ThreadExitError) console.log(err.exitCode); // 3
 * }
 * ```
 */
export class ThreadExitError extends ThreadkitError {
  /** The worker's exit code (`1` after `terminate()` or an out-of-memory kill). */
  readonly exitCode: number;

  /**
   * @param exitCode - the worker's exit code
   * @param message - what happened to the thread
   * @param options - standard error options (`cause`: the runtime's error, if any)
   */
  constructor(exitCode: number, message: string, options?: ErrorOptions) {
    super('ERR_THREAD_EXIT', message, options);
    this.exitCode = exitCode;
  }
}

/**
 * Thrown when a thread is used in a state that does not allow the call: `start()` twice, `join()`
 * before `start()`, or reading `result` before the thread finished.
 *
 * @example
 * ```ts
 * import { Thread, ThreadStateError } from 'threadkit';
 * const t = new Thread(() => 1);
 * try { t.result; } catch (err) { console.log(err instanceof ThreadStateError); } // true
 * ```
 */
export class ThreadStateError extends ThreadkitError {
  /** @param message - which call and the thread's state */
  constructor(message: string) {
    super('ERR_THREAD_STATE', message);
  }
}

/**
 * Rejection reason of `ThreadPool.run()` when `maxQueue` tasks already wait to start (queued, or sent
 * ahead to a busy worker).
 *
 * @example
 * ```ts
 * import { ThreadPool, QueueFullError } from 'threadkit';
 * await using pool = new ThreadPool({ size: 1, maxQueue: 0 });
 * const first = pool.run(() => 1);
 * try { await pool.run(() => 2); } catch (err) { console.log(err instanceof QueueFullError); }
 * await first;
 * ```
 */
export class QueueFullError extends ThreadkitError {
  /** @param message - the queue's bound */
  constructor(message: string) {
    super('ERR_QUEUE_FULL', message);
  }
}

/**
 * Rejection reason of `ThreadPool.run()` after `close()` or `destroy()`, and of every task still
 * pending when `destroy()` is called.
 *
 * @example
 * ```ts
 * import { ThreadPool, PoolClosedError } from 'threadkit';
 * const pool = new ThreadPool();
 * await pool.close();
 * try { await pool.run(() => 1); } catch (err) { console.log(err instanceof PoolClosedError); } // true
 * ```
 */
export class PoolClosedError extends ThreadkitError {
  /** @param message - why the pool does not accept or finish the task */
  constructor(message: string) {
    super('ERR_POOL_CLOSED', message);
  }
}

/**
 * Thrown by a closed {@link Queue}: by `put()` and its variants at once (and to putters blocked when
 * it was closed), and by `get()` and its variants once the values left in it are drained (Python 3.13's
 * `queue.ShutDown`). `for await` over the queue ends quietly instead.
 *
 * @example
 * ```ts
 * import { Queue, QueueClosedError } from 'threadkit';
 * const q = new Queue<number>(4);
 * q.put(1);
 * q.close();
 * console.log(q.get()); // 1: what was put before close() is still delivered
 * try { q.get(); } catch (err) { console.log(err instanceof QueueClosedError); } // true
 * ```
 */
export class QueueClosedError extends ThreadkitError {
  /** @param message - which call found the queue closed */
  constructor(message: string) {
    super('ERR_QUEUE_CLOSED', message);
  }
}

// Every class above, so that one thrown or returned across a thread boundary arrives as an instance
// of its class (src/internal/error-classes.ts). A new error class must be added here.
registerErrorClasses({
  ThreadkitError,
  NotOwnerError,
  DeadlockError,
  TimeoutError,
  SemaphoreOverflowError,
  BrokenBarrierError,
  BlockingNotAllowedError,
  OwnerDiedError,
  LockOrderError,
  InconsistentStateError,
  ThreadExitError,
  ThreadStateError,
  QueueFullError,
  PoolClosedError,
  QueueClosedError,
});

// Fallbacks for the global types that threadkit's public typings name but ES2022 does not declare,
// so they compile without @types/node (which TypeScript 7 no longer includes on its own) and without
// the DOM lib. Each merges into the real declaration where there is one and changes nothing:
//   - AbortSignal, URL (DOM lib, @types/node): one member each, as both declare it, so that alone they
//     still refuse what is not one (an empty interface would take `signal: 42`);
//   - Disposable, AsyncDisposable, Symbol.dispose/asyncDispose (lib esnext.disposable): as @types/node
//     declares them (compatibility/disposable.d.ts), which is known to merge with the lib's;
//   - ErrorOptions (lib es2022.error): as the lib declares it.
// Here because every entry point's typings import this module's. Types only: no runtime code.
declare global {
  interface AbortSignal {
    /** Whether the signal has aborted. */
    readonly aborted: boolean;
  }
  interface URL {
    /** The whole URL, as a string. */
    href: string;
  }
  interface SymbolConstructor {
    readonly dispose: unique symbol;
    readonly asyncDispose: unique symbol;
  }
  interface Disposable {
    /** Releases what this object holds; called at the end of a `using` declaration's scope. */
    [Symbol.dispose](): void;
  }
  interface AsyncDisposable {
    /** Releases what this object holds; awaited at the end of an `await using` declaration's scope. */
    [Symbol.asyncDispose](): PromiseLike<void>;
  }
  interface ErrorOptions {
    cause?: unknown;
  }
}
