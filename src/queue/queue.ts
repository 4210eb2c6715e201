import { QueueClosedError, TimeoutError } from '../errors.js';
import { registerShareable } from '../internal/codec.js';
import { cpuCount } from '../internal/runtime.js';
import { SpinHistory } from '../internal/spin-history.js';
import { encodeValue, decodeValue } from '../internal/serialize.js';
import { checkTimeout, describe } from '../internal/validate.js';
import { checkWaitAsyncOptions, type WaitAsyncOptions } from '../internal/wait-options.js';
import * as raw from './raw-queue.js';
import { IS_CLOSED } from './raw-queue.js';
import { createQueueBuffer, openQueueBuffer, type QueueOptions } from './memory.js';
import * as waits from './waits.js';

/**
 * What {@link Queue.tryGet} returns when it got a value: a wrapper, so that a queued `undefined` is
 * told apart from "nothing" (`null`).
 *
 * @typeParam T - the type of the values
 * @example
 * ```ts
 * import { Queue } from 'threadkit/queue';
 * const q = new Queue<string | undefined>(4);
 * q.put(undefined);
 * const item = q.tryGet(); // { value: undefined }: a queued undefined
 * console.log(item !== null && item.value === undefined); // true
 * console.log(q.tryGet()); // null: the queue is empty
 * ```
 */
export interface QueueItem<T> {
  /** The value got from the queue (a copy of what was put). */
  readonly value: T;
}

/**
 * Options of {@link Queue.putAsync} and {@link Queue.getAsync}.
 *
 * @example
 * ```ts
 * import { Queue } from 'threadkit/queue';
 * const q = new Queue<number>(1);
 * const controller = new AbortController();
 * await q.putAsync(1, { timeoutMs: 1000 });
 * console.log(await q.getAsync({ signal: controller.signal, timeoutMs: 1000 })); // 1
 * ```
 */
export type QueueWaitOptions = WaitAsyncOptions;

/** While set, the constructor opens this buffer instead of creating one ({@link Queue.from}). */
let opening: SharedArrayBuffer | undefined;

// For the message when an options bag is passed where the timeout goes: the calls as they should be.
const TRY_PUT_USAGE = 'tryPut(value, 100), or putAsync(value, { timeoutMs: 100 })';
const TRY_GET_USAGE = 'tryGet(100), or getAsync({ timeoutMs: 100 })';

/**
 * put() and get() take no timeout: an extra argument (`q.put(v, { timeoutMs: 50 })`) would be ignored
 * and the call could block for ever, so it is refused. Checked with `arguments.length` in the method,
 * which V8 reads without materializing `arguments`: the fast path pays nothing measurable.
 */
function extraArgument(call: string, expected: string, got: number, usage: string): TypeError {
  return new TypeError(
    `Expected ${call} to be called with ${expected}, got ${got} argument${got === 1 ? '' : 's'}: it takes no timeout; use ${usage}`,
  );
}

/**
 * A bounded multi-producer, multi-consumer FIFO queue across worker threads: Python's `queue.Queue`
 * on shared memory. Values are copied into the queue's `SharedArrayBuffer` (structured-clone
 * semantics; the browser build uses a JSON-based encoding, described in the "Sharing memory" guide),
 * so a consumer thread needs no message handler: any thread holding the queue can `get()`. Every value put is got exactly once, in
 * the order the puts happened; waiting threads are not served in FIFO order.
 *
 * It holds at most `capacity` values and `maxBytes` bytes of serialized values; `put` waits while
 * either is reached. `close()` ends it: puts then throw {@link QueueClosedError}, gets drain what is
 * left and then throw it.
 *
 * Memory ordering: everything a thread wrote before `put(v)` is visible to the thread whose `get()`
 * returns `v`.
 *
 * Share it by passing it to a {@link Thread} or {@link ThreadPool} task, or post it and call
 * {@link Queue.from} on what arrives.
 *
 * @typeParam T - the type of the values
 * @example
 * ```ts
 * import { Queue } from 'threadkit/queue';
 * import { spawn } from 'threadkit/thread';
 * const results = new Queue<number>(16);
 * const worker = spawn((q: Queue<number>) => {
 *   for (let i = 1; i <= 3; i++) q.put(i * i);
 *   q.close();
 * }, results);
 * for await (const square of results) console.log(square); // 1, 4, 9
 * await worker.join();
 * ```
 */
export class Queue<T = unknown> {
  /** The shared memory holding the queue's state and the serialized values. */
  readonly buffer: SharedArrayBuffer;

  // Views on `buffer`: the header and length ring, and the data area.
  readonly #mem: raw.QueueMemory;
  // This thread's recent spins before parking in get() and put() (raw-queue.ts, "Spinning"), or
  // undefined on a single core, where a spinner would hold the core the other side needs.
  readonly #spins: SpinHistory | undefined = cpuCount() > 1 ? new SpinHistory() : undefined;

  /**
   * Creates an empty queue in a new `SharedArrayBuffer` sized for `capacity` values and
   * `options.maxBytes` bytes of serialized values.
   *
   * @param capacity - the most values the queue holds at once, 1 to 2^24
   * @param options - `maxBytes`, the size of the data area
   * @throws TypeError if `capacity` or `maxBytes` is not a number
   * @throws TypeError if `options` has a key it does not know (naming the key)
   * @throws RangeError if `capacity` or `maxBytes` is not an integer in range
   */
  constructor(capacity: number, options?: QueueOptions) {
    const buffer = opening ?? createQueueBuffer(capacity, options);
    this.buffer = buffer;
    this.#mem = raw.memoryOf(buffer);
  }

  /**
   * Revives a queue from its structured clone (what arrives through `postMessage` or `workerData`).
   *
   * @typeParam T - the type of the values
   * @param handle - `structuredClone(queue)`, or any object with its `buffer`
   * @returns a `Queue` using the same shared memory
   * @throws TypeError if `handle` is not the clone of a queue
   * @example
   * ```ts
   * import { Queue } from 'threadkit/queue';
   * const q = new Queue<string>(4);
   * Queue.from<string>(structuredClone(q)).put('hello');
   * console.log(q.get()); // 'hello'
   * ```
   */
  static from<T = unknown>(handle: unknown): Queue<T> {
    if (handle instanceof Queue) return handle as Queue<T>;
    const buffer = openQueueBuffer(handle);
    // The constructor's first statement reads `opening`; nothing runs in between.
    opening = buffer;
    try {
      return new Queue<T>(0);
    } finally {
      opening = undefined;
    }
  }

  /**
   * Puts `value` at the end of the queue, blocking the thread (with `Atomics.wait`) while the queue is
   * full (`capacity` values, or too few of `maxBytes` left for it).
   *
   * @param value - a structured-cloneable value (it is copied; later changes to it are not seen)
   * @throws QueueClosedError if the queue is closed, or gets closed while this waits
   * @throws RangeError if the serialized value is larger than the whole data area (`maxBytes`)
   * @throws DataCloneError (a DOMException, as structured clone throws; a TypeError in the browser
   * build) for a value that cannot be copied (a function, a symbol), or that holds shared memory (a
   * SharedArrayBuffer or a threadkit primitive: pass those in a thread's `args` instead); a
   * DataCloneError (in every build) for one that holds an object that belongs to this thread (a
   * Thread, a ThreadPool, a ThreadLocal, a lock's guard), saying where and what to send instead
   * @throws TypeError if called with more than the value (`put` takes no timeout: see {@link Queue.tryPut})
   * @throws BlockingNotAllowedError if it would block on a thread that may not block (use {@link Queue.putAsync})
   * @example
   * ```ts
   * import { Queue } from 'threadkit/queue';
   * const q = new Queue<{ id: number }>(8);
   * q.put({ id: 1 });
   * console.log(q.size); // 1
   * ```
   */
  put(value: T): void {
    if (arguments.length > 1)
      throw extraArgument('Queue.put()', 'one argument', arguments.length, TRY_PUT_USAGE);
    this.#put(value, Infinity, 'Queue.put()');
  }

  /**
   * Puts `value` if there is room within `timeoutMs` (0: only if there is room now).
   *
   * @param value - a structured-cloneable value
   * @param timeoutMs - how long to wait for room, in milliseconds
   * @default timeoutMs 0
   * @returns whether the value was put; on `false` the queue is unchanged
   * @throws QueueClosedError if the queue is closed, or gets closed while this waits
   * @throws RangeError if the value is larger than `maxBytes`, or `timeoutMs` is negative or NaN
   * @throws BlockingNotAllowedError if it would block on a thread that may not block
   * @example
   * ```ts
   * import { Queue } from 'threadkit/queue';
   * const q = new Queue<string>(1);
   * console.log(q.tryPut('a')); // true
   * console.log(q.tryPut('b', 10)); // false: full for 10 ms
   * ```
   */
  tryPut(value: T, timeoutMs?: number): boolean {
    const wait = timeoutMs === undefined ? 0 : checkTimeout(timeoutMs, 'timeoutMs', TRY_PUT_USAGE);
    return this.#put(value, wait, 'Queue.tryPut()');
  }

  /**
   * Puts `value` without blocking the event loop, waiting asynchronously while the queue is full.
   * While it waits it keeps a Node process alive. An aborted or timed-out put leaves the queue unchanged.
   *
   * @param value - a structured-cloneable value (copied when `putAsync` is called)
   * @param options - `signal` to abort the wait, `timeoutMs` to bound it
   * @throws QueueClosedError (rejects) if the queue is closed, or gets closed while this waits
   * @throws TimeoutError (rejects) if `timeoutMs` passes first
   * @throws the signal's `reason` (rejects) if aborted
   * @throws RangeError (rejects) if the value is larger than `maxBytes`
   * @example
   * ```ts
   * import { Queue } from 'threadkit/queue';
   * const q = new Queue<number>(4);
   * await q.putAsync(42, { timeoutMs: 1000 });
   * ```
   */
  async putAsync(value: T, options?: QueueWaitOptions): Promise<void> {
    const { signal, timeoutMs } = checkWaitAsyncOptions(options, 'Queue.putAsync()');
    let r = waits.putAsync(this.#mem, this.#encode(value), signal, timeoutMs);
    // Only a put that has to wait awaits: one that finds room settles without an extra turn.
    if (r instanceof Promise) r = await r;
    if (r === IS_CLOSED) throw closedError('Queue.putAsync()');
    if (!r) throw new TimeoutError(`Queue.putAsync() timed out after ${timeoutMs} ms: the queue stayed full`);
  }

  /**
   * Takes the oldest value, blocking the thread (with `Atomics.wait`) while the queue is empty.
   *
   * @returns the value (a copy of what was put)
   * @throws QueueClosedError if the queue is closed and empty, or gets closed while this waits
   * @throws TypeError if called with an argument (`get` takes no timeout: see {@link Queue.tryGet})
   * @throws BlockingNotAllowedError if it would block on a thread that may not block (use {@link Queue.getAsync})
   * @example
   * ```ts
   * import { Queue } from 'threadkit/queue';
   * const q = new Queue<Map<string, number>>(2);
   * q.put(new Map([['a', 1]]));
   * console.log(q.get().get('a')); // 1
   * ```
   */
  get(): T {
    if (arguments.length > 0)
      throw extraArgument('Queue.get()', 'no arguments', arguments.length, TRY_GET_USAGE);
    return this.#get(Infinity, 'Queue.get()')!.value;
  }

  /**
   * Takes the oldest value if one arrives within `timeoutMs` (0: only if one is there now). The result
   * is wrapped so that a queued `undefined` is told apart from "nothing".
   *
   * @param timeoutMs - how long to wait, in milliseconds
   * @default timeoutMs 0
   * @returns `{ value }`, or `null` if the queue stayed empty
   * @throws QueueClosedError if the queue is closed and empty, or gets closed while this waits
   * @throws RangeError if `timeoutMs` is negative or NaN
   * @throws BlockingNotAllowedError if it would block on a thread that may not block
   * @example
   * ```ts
   * import { Queue } from 'threadkit/queue';
   * const q = new Queue<string>(4);
   * console.log(q.tryGet()); // null
   * q.put('job');
   * console.log(q.tryGet(100)); // { value: 'job' }
   * ```
   */
  tryGet(timeoutMs?: number): QueueItem<T> | null {
    const wait = timeoutMs === undefined ? 0 : checkTimeout(timeoutMs, 'timeoutMs', TRY_GET_USAGE);
    return this.#get(wait, 'Queue.tryGet()');
  }

  /**
   * Takes the oldest value without blocking the event loop, waiting asynchronously while the queue is
   * empty. While it waits it keeps a Node process alive. An aborted or timed-out get takes nothing.
   *
   * @param options - `signal` to abort the wait, `timeoutMs` to bound it
   * @returns the value
   * @throws QueueClosedError (rejects) if the queue is closed and empty, or gets closed while this waits
   * @throws TimeoutError (rejects) if `timeoutMs` passes first
   * @throws the signal's `reason` (rejects) if aborted
   * @example
   * ```ts
   * import { Queue } from 'threadkit/queue';
   * const q = new Queue<number>(4);
   * setTimeout(() => q.put(7), 5);
   * console.log(await q.getAsync({ timeoutMs: 1000 })); // 7
   * ```
   */
  async getAsync(options?: QueueWaitOptions): Promise<T> {
    const { signal, timeoutMs } = checkWaitAsyncOptions(options, 'Queue.getAsync()');
    let got = this.#getAsync(signal, timeoutMs);
    if (got instanceof Promise) got = await got;
    if (got === IS_CLOSED) throw closedError('Queue.getAsync()');
    if (got === null)
      throw new TimeoutError(`Queue.getAsync() timed out after ${timeoutMs} ms: the queue stayed empty`);
    return got.value;
  }

  /**
   * Iterates over the values as they arrive (each `next()` is a {@link Queue.getAsync}) until the
   * queue is closed and drained. Breaking out of the loop takes nothing more from the queue.
   *
   * @returns an async iterator of the values
   * @example
   * ```ts
   * import { Queue } from 'threadkit/queue';
   * const q = new Queue<string>(4);
   * q.put('a');
   * q.put('b');
   * q.close();
   * for await (const v of q) console.log(v); // 'a', 'b'
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      const got = await this.#getAsync(undefined, Infinity);
      if (got === IS_CLOSED || got === null) return;
      yield got.value;
    }
  }

  /**
   * Closes the queue: later puts throw {@link QueueClosedError}; gets return the values still queued,
   * then throw it. Every thread waiting in a put or get wakes up (putters throw, getters drain or throw).
   * Closing twice does nothing.
   *
   * @example
   * ```ts
   * import { Queue } from 'threadkit/queue';
   * const q = new Queue<number>(4);
   * q.close();
   * console.log(q.closed); // true
   * ```
   */
  close(): void {
    raw.close(this.#mem.i32);
  }

  /**
   * Whether {@link Queue.close} was called (by any thread).
   *
   * @example
   * ```ts
   * import { Queue } from 'threadkit/queue';
   * console.log(new Queue(1).closed); // false
   * ```
   */
  get closed(): boolean {
    return Atomics.load(this.#mem.i32, raw.CLOSED) !== 0;
  }

  /**
   * Values in the queue right now (a snapshot: other threads may change it at once).
   *
   * @example
   * ```ts
   * import { Queue } from 'threadkit/queue';
   * const q = new Queue<number>(4);
   * q.put(1);
   * console.log(q.size); // 1
   * ```
   */
  get size(): number {
    return Atomics.load(this.#mem.i32, raw.COUNT);
  }

  /**
   * The most values the queue holds at once.
   *
   * @example
   * ```ts
   * import { Queue } from 'threadkit/queue';
   * console.log(new Queue(8).capacity); // 8
   * ```
   */
  get capacity(): number {
    return this.#mem.capacity;
  }

  /**
   * Size of the data area in bytes: the most serialized bytes the queue holds at once, and so the
   * largest single value it accepts (see {@link QueueOptions.maxBytes}).
   *
   * @example
   * ```ts
   * import { Queue } from 'threadkit/queue';
   * console.log(new Queue(8, { maxBytes: 4096 }).maxBytes); // 4096
   * ```
   */
  get maxBytes(): number {
    return this.#mem.data.length;
  }

  /** Serializes a value and checks that it can ever fit. */
  #encode(value: T): Uint8Array {
    const bytes = encodeValue(value);
    if (bytes.length > this.maxBytes) {
      throw new RangeError(
        `Expected \`value\` to fit the queue's data area: ${describeValue(value)} serializes to ${bytes.length} bytes, more than maxBytes (${this.maxBytes}); create the Queue with a larger \`maxBytes\``,
      );
    }
    return bytes;
  }

  /** Blocking or timed put shared by put() and tryPut(). */
  #put(value: T, timeoutMs: number, what: string): boolean {
    const r = waits.putSync(this.#mem, this.#encode(value), timeoutMs, what, this.#spins);
    if (r === IS_CLOSED) throw closedError(what);
    return r;
  }

  /** Blocking or timed get shared by get() and tryGet(): `{ value }`, or null when timed out. */
  #get(timeoutMs: number, what: string): QueueItem<T> | null {
    const r = waits.getSync(this.#mem, timeoutMs, what, this.#spins);
    if (r === IS_CLOSED) throw closedError(what);
    return r === null ? null : { value: decodeValue(r) as T };
  }

  /**
   * Async get: `{ value }`, IS_CLOSED when closed and drained, null when timed out; rejects on abort.
   * A promise only when it has to wait.
   */
  #getAsync(signal: AbortSignal | undefined, timeoutMs: number): GetOutcome<T> | Promise<GetOutcome<T>> {
    const r = waits.getAsync(this.#mem, signal, timeoutMs);
    return r instanceof Promise ? r.then(item<T>) : item<T>(r);
  }
}

/** How an async get ended: the item, closed and drained, or timed out. */
type GetOutcome<T> = QueueItem<T> | typeof IS_CLOSED | null;

/** Decodes what waits.getAsync took. */
function item<T>(r: Uint8Array | typeof IS_CLOSED | null): GetOutcome<T> {
  return r === null || r === IS_CLOSED ? r : { value: decodeValue(r) as T };
}

/** Names a value in a message without pasting a big string into it. */
function describeValue(value: unknown): string {
  return typeof value === 'string' ? `a string of ${value.length} characters` : describe(value);
}

function closedError(what: string): QueueClosedError {
  return new QueueClosedError(`${what}: the queue is closed${what.includes('get') ? ' and empty' : ''}`);
}

registerShareable({ name: 'Queue', type: Queue, revive: (data) => Queue.from(data) });
