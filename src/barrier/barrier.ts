import { BrokenBarrierError, TimeoutError } from '../errors.js';
import { registerShareable } from '../internal/codec.js';
import { parkUntil, parkUntilAsync } from '../internal/park.js';
import { cpuCount } from '../internal/runtime.js';
import { SpinHistory } from '../internal/spin-history.js';
import { claimTagged, openTagged } from '../internal/tagged.js';
import { checkOptions, placeSlots, checkTimeout, type OptionKeys } from '../internal/validate.js';
import { checkCount } from '../internal/validate-count.js';
import { checkWaitAsyncOptions, type WaitAsyncOptions } from '../internal/wait-options.js';
import {
  BARRIER_TAG,
  BROKE,
  BROKEN,
  COUNT_MASK,
  MAX_PARTIES,
  PARTIES,
  RELEASED,
  SLOTS,
  STATE,
  TAG,
  arrive,
  breakBarrier,
  spin,
  standing,
} from './raw-barrier.js';

/**
 * Options of {@link Barrier}'s constructor.
 *
 * @example
 * ```ts
 * import { Barrier } from 'threadkit/barrier';
 * const shared = new SharedArrayBuffer(2 * Barrier.BYTES); // two barriers in one buffer
 * const start = new Barrier(3, { buffer: shared });
 * const finish = new Barrier(3, { buffer: shared, byteOffset: Barrier.BYTES });
 * console.log(start.parties, finish.parties); // 3 3
 * ```
 */
export interface BarrierOptions {
  /**
   * Shared memory to place the barrier in; a `SharedArrayBuffer` with {@link Barrier.BYTES} bytes free
   * at `byteOffset`.
   * @default a new SharedArrayBuffer of Barrier.BYTES bytes
   */
  readonly buffer?: SharedArrayBuffer | undefined;
  /**
   * Byte offset of the barrier in `buffer`; a multiple of 4.
   * @default 0
   */
  readonly byteOffset?: number | undefined;
}

/**
 * What a successful {@link Barrier.wait} returns.
 *
 * @example
 * ```ts
 * import { Barrier } from 'threadkit/barrier';
 * const phase = new Barrier(2);
 * const step = async (name: string) => {
 *   const { isLeader } = await phase.waitAsync();
 *   if (isLeader) console.log(`${name} arrived last`); // printed once per generation
 * };
 * await Promise.all([step('a'), step('b')]);
 * ```
 */
export interface BarrierWaitResult {
  /** True for exactly one party per generation: the last to arrive, which released the others. */
  readonly isLeader: boolean;
}

const LEADER: BarrierWaitResult = Object.freeze({ isLeader: true });
const FOLLOWER: BarrierWaitResult = Object.freeze({ isLeader: false });

/** Every key of {@link BarrierOptions}: checkOptions refuses any other. */
const BARRIER_KEYS: OptionKeys<BarrierOptions> = { buffer: true, byteOffset: true };

/**
 * A reusable meeting point for a fixed number of parties: Python's `threading.Barrier` (Java's
 * `CyclicBarrier`) on shared memory. Each `wait()` blocks until `parties` calls have arrived, then all
 * of them return together and the barrier is ready for the next generation.
 *
 * If a party times out or is aborted, or `abort()` is called, the barrier is *broken*: every waiting
 * and future `wait()` fails with {@link BrokenBarrierError} (create a new barrier to start over).
 *
 * Memory ordering: everything each party wrote before its `wait()` is visible to every party after
 * its `wait()` of the same generation returns.
 *
 * Share it by passing it to a {@link Thread} or {@link ThreadPool} task, or post it and call
 * {@link Barrier.from} on what arrives.
 *
 * @example
 * ```ts
 * import { Barrier } from 'threadkit/barrier';
 * const phase = new Barrier(2);
 * const [a, b] = await Promise.all([phase.waitAsync(), phase.waitAsync()]);
 * console.log(a.isLeader !== b.isLeader); // true: exactly one leader
 * ```
 */
export class Barrier {
  /** Bytes one barrier occupies in a caller-supplied buffer (see {@link BarrierOptions.buffer}). */
  static readonly BYTES: number = SLOTS * 4;

  /** The shared memory holding the barrier's state. */
  readonly buffer: SharedArrayBuffer;
  /** Byte offset of the barrier within {@link Barrier.buffer}. */
  readonly byteOffset: number;

  readonly #i32: Int32Array;
  // Int32 index of the first slot; all slot constants are relative to it.
  readonly #base: number;
  // This thread's recent spins in wait(), or undefined where spinning cannot pay off: with more parties
  // than cores, a spinner holds a core that a party yet to arrive needs (see raw-barrier.ts).
  readonly #spins: SpinHistory | undefined;

  /**
   * Creates a barrier for `parties` parties, or opens the one already at `byteOffset` of `buffer`
   * (its state is kept; `parties` must match).
   *
   * @param parties - how many `wait()` calls release a generation, 1 to 32767
   * @param options - where to place it
   * @throws TypeError if `parties` is not a number, `buffer` is not a SharedArrayBuffer, the memory
   * holds something else, or a barrier with other `parties`
   * @throws TypeError if `options` has a key it does not know (naming the key)
   * @throws RangeError if `parties` is out of range, or `byteOffset` is misaligned or out of range
   */
  constructor(parties: number, options?: BarrierOptions) {
    if (parties === undefined) throw new TypeError('Expected `parties` to be an integer, got undefined');
    const n = checkCount(
      parties,
      'parties',
      0,
      1,
      MAX_PARTIES,
      'the options go second: new Barrier(parties, options)',
    );
    const opts = checkOptions<BarrierOptions>(options, BARRIER_KEYS, 'new Barrier()');
    const slots = placeSlots(opts, Barrier.BYTES);
    this.buffer = slots.buffer;
    this.byteOffset = slots.byteOffset;
    this.#i32 = slots.i32;
    this.#base = slots.base;
    claimTagged(slots, TAG, BARRIER_TAG, 'Barrier', () => Atomics.store(slots.i32, slots.base + PARTIES, n));
    if (this.parties !== n) {
      throw new TypeError(
        `Expected \`parties\` to match the barrier already at byteOffset ${this.byteOffset} (parties: ${this.parties})`,
      );
    }
    this.#spins = n > 1 && n <= cpuCount() ? new SpinHistory() : undefined;
  }

  /**
   * Revives a barrier from its structured clone (what arrives through `postMessage` or `workerData`).
   *
   * @param handle - `structuredClone(barrier)`, or any object with its `buffer` and `byteOffset`
   * @returns a `Barrier` using the same shared memory
   * @throws TypeError if `handle` is not the clone of a barrier
   * @example
   * ```ts
   * import { Barrier } from 'threadkit/barrier';
   * const b = new Barrier(3);
   * console.log(Barrier.from(structuredClone(b)).parties); // 3
   * ```
   */
  static from(handle: unknown): Barrier {
    if (handle instanceof Barrier) return handle;
    const slots = openTagged(handle, Barrier.BYTES, TAG, BARRIER_TAG, 'Barrier');
    const parties = Atomics.load(slots.i32, slots.base + PARTIES);
    return new Barrier(parties, { buffer: slots.buffer, byteOffset: slots.byteOffset });
  }

  /**
   * Arrives and blocks the thread (with `Atomics.wait`) until all parties have arrived. When there are
   * no more parties than cores, it first spins for up to ~30 µs (a wake-up from `Atomics.wait` costs
   * about that), for as long as such spins keep catching the release.
   *
   * @param timeoutMs - how long to wait, in milliseconds; on timeout the barrier breaks
   * @default timeoutMs Infinity
   * @returns `{ isLeader }` once the generation is released; `null` if `timeoutMs` passed first (the
   * barrier is then broken for the other parties)
   * @throws BrokenBarrierError if the barrier is or becomes broken
   * @throws RangeError if `timeoutMs` is negative or NaN
   * @throws BlockingNotAllowedError if it would block on a thread that may not block
   * @example
   * ```ts
   * import { Barrier } from 'threadkit/barrier';
   * const b = new Barrier(1);
   * console.log(b.wait()); // { isLeader: true }
   * ```
   */
  wait(timeoutMs?: number): BarrierWaitResult | null {
    const t = checkTimeout(timeoutMs, 'timeoutMs', 'wait(100), or waitAsync({ timeoutMs: 100 })');
    const i32 = this.#i32;
    const base = this.#base;
    const arrival = arrive(i32, base);
    if (arrival === null) throw this.#broken();
    if (arrival.leader) return LEADER;
    // Spin before parking while that pays off (raw-barrier.ts, "Spinning"); wait(0) does not wait.
    const spins = this.#spins;
    if (t > 0 && spins?.shouldSpin() === true) {
      const st = spin(i32, base, arrival.gen);
      spins.record(st === RELEASED || st === BROKE);
      if (st === RELEASED) return FOLLOWER;
      if (st === BROKE) throw this.#broken();
    }
    const gen = awaitGeneration(i32, base, arrival.gen);
    if (!parkUntil(i32, base + STATE, t, 'Barrier.wait()', gen.check)) {
      return breakBarrier(i32, base, arrival.gen) === RELEASED ? FOLLOWER : null;
    }
    if (gen.outcome === BROKE) throw this.#broken();
    return FOLLOWER;
  }

  /**
   * Arrives and waits for all parties without blocking the event loop. While it waits it keeps a Node
   * process alive. A timeout or abort breaks the barrier, unless the generation was released first,
   * in which case it resolves.
   *
   * @param options - `signal` to abort the wait, `timeoutMs` to bound it
   * @returns `{ isLeader }` once the generation is released
   * @throws BrokenBarrierError (rejects) if the barrier is or becomes broken
   * @throws TimeoutError (rejects) if `timeoutMs` passes first
   * @throws the signal's `reason` (rejects) if aborted
   * @example
   * ```ts
   * import { Barrier } from 'threadkit/barrier';
   * const b = new Barrier(1);
   * const { isLeader } = await b.waitAsync({ timeoutMs: 1000 });
   * ```
   */
  async waitAsync(options?: WaitAsyncOptions): Promise<BarrierWaitResult> {
    const { signal, timeoutMs } = checkWaitAsyncOptions(options, 'Barrier.waitAsync()');
    const i32 = this.#i32;
    const base = this.#base;
    const arrival = arrive(i32, base);
    if (arrival === null) throw this.#broken();
    if (arrival.leader) return LEADER;
    const gen = awaitGeneration(i32, base, arrival.gen);
    let done: boolean;
    try {
      // No onAbandoned: release and break wake all (I2 of raw-barrier).
      done = await parkUntilAsync(i32, base + STATE, timeoutMs, signal, gen.check);
    } catch (reason) {
      if (breakBarrier(i32, base, arrival.gen) === RELEASED) return FOLLOWER;
      throw reason;
    }
    if (!done) {
      if (breakBarrier(i32, base, arrival.gen) === RELEASED) return FOLLOWER;
      throw new TimeoutError(
        `Barrier.waitAsync() timed out after ${timeoutMs} ms; the barrier is now broken`,
      );
    }
    if (gen.outcome === BROKE) throw this.#broken();
    return FOLLOWER;
  }

  /**
   * Breaks the barrier: every party waiting now, and every later `wait()`, fails with
   * {@link BrokenBarrierError}. Never blocks; breaking a broken barrier does nothing.
   *
   * @example
   * ```ts
   * import { Barrier } from 'threadkit/barrier';
   * const b = new Barrier(2);
   * b.abort();
   * console.log(b.isBroken); // true
   * ```
   */
  abort(): void {
    breakBarrier(this.#i32, this.#base);
  }

  /**
   * The number of parties that release a generation.
   *
   * @example
   * ```ts
   * import { Barrier } from 'threadkit/barrier';
   * console.log(new Barrier(4).parties); // 4
   * ```
   */
  get parties(): number {
    return Atomics.load(this.#i32, this.#base + PARTIES);
  }

  /**
   * Parties waiting in the current generation right now (a snapshot, for diagnostics). 0 once the
   * barrier is broken: its waiters are all woken to fail, and nobody can arrive any more.
   *
   * @example
   * ```ts
   * import { Barrier } from 'threadkit/barrier';
   * const b = new Barrier(3);
   * console.log(b.waiting); // 0
   * b.wait(10); // null: timed out, and broke the barrier
   * console.log(b.isBroken, b.waiting); // true 0
   * ```
   */
  get waiting(): number {
    const s = Atomics.load(this.#i32, this.#base + STATE);
    // A broken barrier keeps the COUNT of the generation it broke in (raw-barrier.ts); nobody waits.
    return (s & BROKEN) !== 0 ? 0 : s & COUNT_MASK;
  }

  /**
   * Whether the barrier is broken.
   *
   * @example
   * ```ts
   * import { Barrier } from 'threadkit/barrier';
   * console.log(new Barrier(2).isBroken); // false
   * ```
   */
  get isBroken(): boolean {
    return (Atomics.load(this.#i32, this.#base + STATE) & BROKEN) !== 0;
  }

  #broken(): BrokenBarrierError {
    return new BrokenBarrierError(
      'The Barrier is broken (aborted, or a party timed out or was aborted); create a new one to start over',
    );
  }
}

registerShareable({ name: 'Barrier', type: Barrier, revive: (data) => Barrier.from(data) });

/**
 * The park condition of a follower of generation `gen`, shared by wait() and waitAsync(): `check`
 * returns the value to keep waiting on, or null once the generation was released or broken, which it
 * records in `outcome`.
 */
function awaitGeneration(i32: Int32Array, base: number, gen: number) {
  const state = {
    outcome: RELEASED as number,
    check: (): number | null => {
      const st = standing(i32, base, gen);
      if (st !== RELEASED && st !== BROKE) return st;
      state.outcome = st;
      return null;
    },
  };
  return state;
}
