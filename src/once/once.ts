import { DeadlockError, TimeoutError } from '../errors.js';
import { registerShareable } from '../internal/codec.js';
import { createContextStorage } from '../internal/async-context.js';
import { OWNER_CHECK_MS } from '../internal/dead-threads.js';
import { parkUntil, parkUntilAsync } from '../internal/park.js';
import { threadId } from '../internal/runtime.js';
import { syncResult, type SyncHelper } from '../internal/sync-result.js';
import { claimTagged, openTagged } from '../internal/tagged.js';
import { checkOptions, placeSlots, describe, type OptionKeys } from '../internal/validate.js';
import { checkWaitAsyncOptions, type WaitAsyncOptions } from '../internal/wait-options.js';
import { DONE, ONCE_TAG, SLOTS, STATE, TAG, finish, onceCheck } from './raw-once.js';

/**
 * Options of {@link Once}'s constructor.
 *
 * @example
 * ```ts
 * import { Once } from 'threadkit/once';
 * const shared = new SharedArrayBuffer(2 * Once.BYTES); // two onces in one buffer
 * const initDb = new Once({ buffer: shared });
 * const initCache = new Once({ buffer: shared, byteOffset: Once.BYTES });
 * initDb.run(() => console.log('db ready'));
 * console.log(initDb.isDone, initCache.isDone); // true false
 * ```
 */
export interface OnceOptions {
  /**
   * Shared memory to place the once in; a `SharedArrayBuffer` with {@link Once.BYTES} bytes free at
   * `byteOffset`.
   * @default a new SharedArrayBuffer of Once.BYTES bytes
   */
  readonly buffer?: SharedArrayBuffer | undefined;
  /**
   * Byte offset of the once in `buffer`; a multiple of 4.
   * @default 0
   */
  readonly byteOffset?: number | undefined;
}

/** This thread's value in STATE while it runs the function: its thread id + 1 (0 is INCOMPLETE). */
const TID = threadId + 1;

/** A once whose function runAsync() is running, as the memory it lives in. */
type Running = { readonly i32: Int32Array; readonly base: number; readonly outer: Running | undefined };

/**
 * The onces whose functions the current async task is running inside (runAsync() sets it around `fn`,
 * and it follows `fn`'s awaits where the runtime has AsyncLocalStorage). A runAsync() of one of them
 * from there would wait for its own caller to finish: a deadlock, thrown instead. Other async tasks of
 * the thread are not inside: they wait for the run, as they should.
 */
const runningIn = createContextStorage<Running>();

function isRunningIn(i32: Int32Array, base: number): boolean {
  for (let r = runningIn.getStore(); r !== undefined; r = r.outer) {
    if (r.i32.buffer === i32.buffer && r.base === base) return true;
  }
  return false;
}

/** How run() names itself when `fn` returns a Promise (see sync-result.ts). */
const RUN: SyncHelper = {
  param: 'fn',
  method: 'Once.run()',
  problem: 'cannot wait across `await` for the initialisation to finish (the once stays incomplete)',
  advice: 'use runAsync() for an async function',
};

/** Every key of {@link OnceOptions}: checkOptions refuses any other. */
const ONCE_KEYS: OptionKeys<OnceOptions> = { buffer: true, byteOffset: true };

/**
 * Runs an initialisation exactly once across all threads sharing it (Rust's `std::sync::Once`, Go's
 * `sync.Once`). Callers that arrive while it runs wait for it to finish. If the function throws, the
 * error reaches its caller and the once stays incomplete: the next caller (or a waiter) runs it again.
 *
 * Only completion is shared, not a value (threads do not share a heap): have the function write its
 * result to shared memory, or use it for side effects such as creating a file or a table.
 *
 * Memory ordering: everything the successful run wrote is visible to every caller after its
 * `run()` returns.
 *
 * Dead runners: the once records which thread is running the function, so if a {@link Thread} or
 * {@link ThreadPool} worker dies in the middle of it (terminated, crashed, `process.exit()`, a pool
 * task past its `timeoutMs`), the once does not stay running for ever. Waiters, blocked or async,
 * re-check every ~25 ms; within that of the death the first of them runs `fn` itself (the dead run did
 * not complete, as when `fn` throws) and the others wait for that run. Threads started with a raw
 * `new Worker()` are not tracked: if one dies running `fn`, waiters wait for ever (bound `runAsync`
 * with a `timeoutMs`).
 *
 * Share it by passing it to a {@link Thread} or {@link ThreadPool} task, or post it and call
 * {@link Once.from} on what arrives.
 *
 * @example
 * ```ts
 * import { Once } from 'threadkit/once';
 * const init = new Once();
 * const config = new Int32Array(new SharedArrayBuffer(4));
 * init.run(() => { config[0] = 42; }); // true: ran it
 * init.run(() => { config[0] = 0; }); // false: already done
 * console.log(config[0]); // 42
 * ```
 */
export class Once {
  /** Bytes one once occupies in a caller-supplied buffer (see {@link OnceOptions.buffer}). */
  static readonly BYTES: number = SLOTS * 4;

  /** The shared memory holding the state. */
  readonly buffer: SharedArrayBuffer;
  /** Byte offset of the once within {@link Once.buffer}. */
  readonly byteOffset: number;

  readonly #i32: Int32Array;
  // Int32 index of the first slot; all slot constants are relative to it.
  readonly #base: number;

  /**
   * Creates an incomplete once, or opens the one already at `byteOffset` of `buffer` (its state is kept).
   *
   * @param options - where to place it
   * @throws TypeError if `buffer` is not a SharedArrayBuffer, or the memory holds something else
   * @throws TypeError if `options` has a key it does not know (naming the key)
   * @throws RangeError if `byteOffset` is misaligned or leaves no room for {@link Once.BYTES} bytes
   */
  constructor(options?: OnceOptions) {
    const opts = checkOptions<OnceOptions>(options, ONCE_KEYS, 'new Once()');
    const slots = placeSlots(opts, Once.BYTES);
    this.buffer = slots.buffer;
    this.byteOffset = slots.byteOffset;
    this.#i32 = slots.i32;
    this.#base = slots.base;
    claimTagged(slots, TAG, ONCE_TAG, 'Once', () => {});
  }

  /**
   * Revives a once from its structured clone (what arrives through `postMessage` or `workerData`).
   *
   * @param handle - `structuredClone(once)`, or any object with its `buffer` and `byteOffset`
   * @returns a `Once` using the same shared memory
   * @throws TypeError if `handle` is not the clone of a once
   * @example
   * ```ts
   * import { Once } from 'threadkit/once';
   * const o = new Once();
   * Once.from(structuredClone(o)).run(() => {});
   * console.log(o.isDone); // true
   * ```
   */
  static from(handle: unknown): Once {
    if (handle instanceof Once) return handle;
    const slots = openTagged(handle, Once.BYTES, TAG, ONCE_TAG, 'Once');
    return new Once({ buffer: slots.buffer, byteOffset: slots.byteOffset });
  }

  /**
   * Runs `fn` if no call has completed it yet; if another thread is running it, blocks (with
   * `Atomics.wait`) until that run ends, then returns (or, if that run threw or its thread died, runs
   * `fn` itself).
   *
   * @param fn - the initialisation, synchronous; what it returns is ignored, unless a Promise
   * @returns true if this call ran `fn` to completion, false if it was already done
   * @throws whatever `fn` throws (the once stays incomplete)
   * @throws TypeError if fn returns a Promise (use {@link Once.runAsync} instead): `run()` cannot wait
   * for it, so the once stays incomplete, and a later rejection of that promise is not reported as
   * unhandled. A `fn` typed to return a Promise is a type error too.
   * @throws DeadlockError if called from inside `fn` on the same thread
   * @throws BlockingNotAllowedError if it would block on a thread that may not block
   * @example
   * ```ts
   * import { Once } from 'threadkit/once';
   * const o = new Once();
   * console.log(o.run(() => console.log('init'))); // prints 'init', then true
   * ```
   */
  run<R>(
    fn: () => R extends PromiseLike<unknown> ? 'a synchronous fn (use runAsync() for an async one)' : R,
  ): boolean {
    checkFn(fn);
    const i32 = this.#i32;
    const base = this.#base;
    if (Atomics.load(i32, base + STATE) === DONE) return false;
    if (Atomics.load(i32, base + STATE) === TID) {
      throw new DeadlockError('Once.run() was called from inside its own function on the same thread');
    }
    const { check, claimed } = onceCheck(i32, base, TID);
    // Wakes every OWNER_CHECK_MS to see whether the running thread died (I4 of raw-once).
    parkUntil(i32, base + STATE, Infinity, 'Once.run()', check, OWNER_CHECK_MS);
    if (!claimed()) return false;
    let ok = false;
    try {
      syncResult(fn(), RUN);
      ok = true;
    } finally {
      finish(i32, base, ok);
    }
    return true;
  }

  /**
   * Like {@link Once.run}, without blocking the event loop; `fn` may be async, and the once completes
   * when its promise fulfils. While it waits it keeps a Node process alive. If the running thread dies
   * mid-run, this call (or another waiter) runs `fn` itself, as {@link Once.run} does.
   *
   * @param fn - the initialisation, sync or async; its result is ignored
   * @param options - `signal` to abort waiting for another run, `timeoutMs` to bound that wait (they do
   * not interrupt `fn` once this call runs it)
   * @returns true if this call ran `fn` to completion, false if it was already done
   * @throws whatever `fn` throws or rejects with (rejects; the once stays incomplete)
   * @throws TimeoutError (rejects) if `timeoutMs` passes while another run is in progress
   * @throws the signal's `reason` (rejects) if aborted while waiting
   * @throws DeadlockError (rejects) if called from inside `fn` (where the runtime tracks async context)
   * @example
   * ```ts
   * import { Once } from 'threadkit/once';
   * const o = new Once();
   * await o.runAsync(async () => {
   *   // create the schema
   * });
   * ```
   */
  async runAsync(fn: () => unknown, options?: WaitAsyncOptions): Promise<boolean> {
    checkFn(fn);
    const { signal, timeoutMs } = checkWaitAsyncOptions(options, 'Once.runAsync()');
    const i32 = this.#i32;
    const base = this.#base;
    if (Atomics.load(i32, base + STATE) === TID && isRunningIn(i32, base)) {
      throw new DeadlockError('Once.runAsync() was called from inside its own function');
    }
    const { check, claimed } = onceCheck(i32, base, TID);
    // No onAbandoned: finish() wakes all (I2 of raw-once). Polls for a dead runner as run() does (I4).
    if (!(await parkUntilAsync(i32, base + STATE, timeoutMs, signal, check, undefined, OWNER_CHECK_MS))) {
      throw new TimeoutError(`Once.runAsync() timed out after ${timeoutMs} ms waiting for another run`);
    }
    if (!claimed()) return false;
    let ok = false;
    try {
      await runningIn.run({ i32, base, outer: runningIn.getStore() }, fn);
      ok = true;
    } finally {
      finish(i32, base, ok);
    }
    return true;
  }

  /**
   * Whether a run has completed.
   *
   * @example
   * ```ts
   * import { Once } from 'threadkit/once';
   * console.log(new Once().isDone); // false
   * ```
   */
  get isDone(): boolean {
    return Atomics.load(this.#i32, this.#base + STATE) === DONE;
  }
}

function checkFn(fn: unknown): void {
  if (typeof fn !== 'function') throw new TypeError(`Expected \`fn\` to be a function, got ${describe(fn)}`);
}

registerShareable({ name: 'Once', type: Once, revive: (data) => Once.from(data) });
