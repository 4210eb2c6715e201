import { TimeoutError } from '../errors.js';
import { registerShareable } from '../internal/codec.js';
import { parkUntil, parkUntilAsync } from '../internal/park.js';
import { claimTagged, openTagged } from '../internal/tagged.js';
import { checkOptions, placeSlots, checkTimeout, type OptionKeys } from '../internal/validate.js';
import { checkWaitAsyncOptions, type WaitAsyncOptions } from '../internal/wait-options.js';
import { EVENT_TAG, FLAG, SLOTS, STATE, TAG, WAITERS, clearFlag, eventCheck, setFlag } from './raw-event.js';

/**
 * Options of {@link Event}'s constructor.
 *
 * @example
 * ```ts
 * import { Event } from 'threadkit/event';
 * const shared = new SharedArrayBuffer(2 * Event.BYTES); // two events in one buffer
 * const ready = new Event({ buffer: shared });
 * const done = new Event({ buffer: shared, byteOffset: Event.BYTES });
 * ready.set();
 * console.log(ready.isSet, done.isSet); // true false
 * ```
 */
export interface EventOptions {
  /**
   * Shared memory to place the event in; a `SharedArrayBuffer` with {@link Event.BYTES} bytes free at
   * `byteOffset`.
   * @default a new SharedArrayBuffer of Event.BYTES bytes
   */
  readonly buffer?: SharedArrayBuffer | undefined;
  /**
   * Byte offset of the event in `buffer`; a multiple of 4.
   * @default 0
   */
  readonly byteOffset?: number | undefined;
}

/** Every key of {@link EventOptions}: checkOptions refuses any other. */
const EVENT_KEYS: OptionKeys<EventOptions> = { buffer: true, byteOffset: true };

/**
 * A flag that threads can wait for: Python's `threading.Event` on shared memory. `set()` releases
 * every current waiter and lets later ones through until `clear()`.
 *
 * A thread waiting when `set()` is called is released even if `clear()` follows at once.
 *
 * Memory ordering: everything a thread wrote before `set()` is visible to a thread after its `wait()`
 * returns true because of it.
 *
 * Share it by passing it to a {@link Thread} or {@link ThreadPool} task, or post it and call
 * {@link Event.from} on what arrives. (Not the DOM `Event`: import it under another name if you use both.)
 *
 * @example
 * ```ts
 * import { Event } from 'threadkit/event';
 * const ready = new Event();
 * setTimeout(() => ready.set(), 10);
 * await ready.waitAsync();
 * console.log(ready.isSet); // true
 * ```
 */
export class Event {
  /** Bytes one event occupies in a caller-supplied buffer (see {@link EventOptions.buffer}). */
  static readonly BYTES: number = SLOTS * 4;

  /** The shared memory holding the flag. */
  readonly buffer: SharedArrayBuffer;
  /** Byte offset of the event within {@link Event.buffer}. */
  readonly byteOffset: number;

  readonly #i32: Int32Array;
  // Int32 index of the first slot; all slot constants are relative to it.
  readonly #base: number;

  /**
   * Creates a cleared event, or opens the one already at `byteOffset` of `buffer` (its state is kept).
   *
   * @param options - where to place it
   * @throws TypeError if `buffer` is not a SharedArrayBuffer, or the memory holds something else
   * @throws TypeError if `options` has a key it does not know (naming the key)
   * @throws RangeError if `byteOffset` is misaligned or leaves no room for {@link Event.BYTES} bytes
   */
  constructor(options?: EventOptions) {
    const opts = checkOptions<EventOptions>(options, EVENT_KEYS, 'new Event()');
    const slots = placeSlots(opts, Event.BYTES);
    this.buffer = slots.buffer;
    this.byteOffset = slots.byteOffset;
    this.#i32 = slots.i32;
    this.#base = slots.base;
    claimTagged(slots, TAG, EVENT_TAG, 'Event', () => {});
  }

  /**
   * Revives an event from its structured clone (what arrives through `postMessage` or `workerData`).
   *
   * @param handle - `structuredClone(event)`, or any object with its `buffer` and `byteOffset`
   * @returns an `Event` using the same shared memory
   * @throws TypeError if `handle` is not the clone of an event
   * @example
   * ```ts
   * import { Event } from 'threadkit/event';
   * const e = new Event();
   * Event.from(structuredClone(e)).set();
   * console.log(e.isSet); // true
   * ```
   */
  static from(handle: unknown): Event {
    if (handle instanceof Event) return handle;
    const slots = openTagged(handle, Event.BYTES, TAG, EVENT_TAG, 'Event');
    return new Event({ buffer: slots.buffer, byteOffset: slots.byteOffset });
  }

  /**
   * Sets the flag and wakes every waiting thread and task. Does nothing if it is already set.
   *
   * @example
   * ```ts
   * import { Event } from 'threadkit/event';
   * const e = new Event();
   * e.set();
   * console.log(e.wait(0)); // true
   * ```
   */
  set(): void {
    setFlag(this.#i32, this.#base);
  }

  /**
   * Clears the flag: later `wait()` calls block until the next `set()`. Threads already released by a
   * `set()` stay released.
   *
   * @example
   * ```ts
   * import { Event } from 'threadkit/event';
   * const e = new Event();
   * e.set();
   * e.clear();
   * console.log(e.isSet); // false
   * ```
   */
  clear(): void {
    clearFlag(this.#i32, this.#base);
  }

  /**
   * Whether the flag is set right now.
   *
   * @example
   * ```ts
   * import { Event } from 'threadkit/event';
   * console.log(new Event().isSet); // false
   * ```
   */
  get isSet(): boolean {
    return (Atomics.load(this.#i32, this.#base + STATE) & FLAG) !== 0;
  }

  /**
   * Blocks the thread (with `Atomics.wait`) until the flag is set, or `timeoutMs` passes.
   *
   * @param timeoutMs - how long to wait, in milliseconds (0: just test the flag)
   * @default timeoutMs Infinity
   * @returns true if the flag was set (now, or by a `set()` while waiting), false on timeout
   * @throws RangeError if `timeoutMs` is negative or NaN
   * @throws BlockingNotAllowedError if it would block on a thread that may not block
   * @example
   * ```ts
   * import { Event } from 'threadkit/event';
   * const e = new Event();
   * console.log(e.wait(10)); // false: nobody set it
   * ```
   */
  wait(timeoutMs?: number): boolean {
    const t = checkTimeout(timeoutMs, 'timeoutMs', 'wait(100), or waitAsync({ timeoutMs: 100 })');
    const i32 = this.#i32;
    const base = this.#base;
    const start = Atomics.load(i32, base + STATE);
    if ((start & FLAG) !== 0) return true;
    if (t === 0) return false;
    Atomics.add(i32, base + WAITERS, 1);
    try {
      // I1 of raw-event: registered before the check loads STATE again.
      return parkUntil(i32, base + STATE, t, 'Event.wait()', eventCheck(i32, base, start));
    } finally {
      Atomics.sub(i32, base + WAITERS, 1);
    }
  }

  /**
   * Waits for the flag without blocking the event loop. While it waits it keeps a Node process alive.
   *
   * @param options - `signal` to abort the wait, `timeoutMs` to bound it
   * @throws TimeoutError (rejects) if `timeoutMs` passes first
   * @throws the signal's `reason` (rejects) if aborted
   * @example
   * ```ts
   * import { Event } from 'threadkit/event';
   * const e = new Event();
   * setTimeout(() => e.set(), 5);
   * await e.waitAsync({ timeoutMs: 1000 });
   * ```
   */
  async waitAsync(options?: WaitAsyncOptions): Promise<void> {
    const { signal, timeoutMs } = checkWaitAsyncOptions(options, 'Event.waitAsync()');
    const i32 = this.#i32;
    const base = this.#base;
    const start = Atomics.load(i32, base + STATE);
    if ((start & FLAG) !== 0) return;
    Atomics.add(i32, base + WAITERS, 1);
    let released: boolean;
    try {
      // No onAbandoned: set() wakes all, so an absorbed notify strands nobody (I2 of raw-event).
      released = await parkUntilAsync(i32, base + STATE, timeoutMs, signal, eventCheck(i32, base, start));
    } finally {
      Atomics.sub(i32, base + WAITERS, 1);
    }
    if (!released) throw new TimeoutError(`Event.waitAsync() timed out after ${timeoutMs} ms`);
  }
}

registerShareable({ name: 'Event', type: Event, revive: (data) => Event.from(data) });
