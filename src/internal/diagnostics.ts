// Opt-in deadlock diagnostics, per thread (each thread that wants them calls setDiagnostics):
//   - slow locks (Mutex, RwLock, Semaphore): a blocking, timed or async acquisition that waits longer
//     than `slowLockMs` is reported once (which threads hold the lock, how long this one has waited),
//     then keeps waiting; see `waitReporting`;
//   - lock order (Mutex only, src/mutex/lock-order.ts): acquiring A while holding B after B was ever
//     acquired while holding A throws LockOrderError before it can block.
// Both are off by default. While off they cost one flag test on Mutex.lock() (`fastLock`, which also
// says whether the thread may block), nothing on unlock(), and one read of `slowLockMs` on the slow
// path of a wait.
//
// Where the settings live: one object per thread, kept on `globalThis` under a versioned symbol (as
// the thread-locals are, src/threadlocal/slots.ts). The package ships an ESM and a CommonJS build, and
// both can be loaded into one thread (an application importing threadkit, a dependency requiring it).
// Their locks interoperate through shared memory, so a deadlock can span both; module state would
// give each build its own settings, and `setDiagnostics` from one would leave the other's locks
// unwatched (and the lock-order graph blind to half the locks). globalThis is per thread (each worker
// is its own realm), so this is still exactly one settings object per thread.
import { canBlock } from './runtime.js';
import { checkOptions, checkTimeout, describe, type OptionKeys } from './validate.js';

/**
 * A thread holding the lock a slow wait is waiting for, as {@link SlowLockReport.holders} lists it.
 *
 * @example
 * ```ts
 * import { setDiagnostics, type SlowLockHolder } from 'threadkit/rwlock';
 * const list = (holders: readonly SlowLockHolder[]) =>
 *   holders.map((h) => `thread ${h.threadId} x${h.count}`).join(', ');
 * setDiagnostics({ slowLockMs: 500, onSlowLock: (report) => console.warn(list(report.holders)) });
 * setDiagnostics({});
 * ```
 */
export interface SlowLockHolder {
  /** Runtime thread id of the holder (`threadId` of `node:worker_threads`; 0 is the main thread). */
  readonly threadId: number;
  /** What it holds: 1 for a Mutex or an RwLock write lock, its read locks, or its permits. */
  readonly count: number;
}

/**
 * What {@link DiagnosticsOptions.onSlowLock} receives.
 *
 * @example
 * ```ts
 * import { setDiagnostics, type SlowLockReport } from 'threadkit/mutex';
 * setDiagnostics({
 *   slowLockMs: 500,
 *   onSlowLock: (report: SlowLockReport) => {
 *     const who = report.holders.map((h) => `thread ${h.threadId} (${h.count})`).join(', ');
 *     console.warn(`${report.kind} ${report.mode ?? ''} waited ${report.waitedMs} ms; held by ${who || 'nobody now'}`);
 *   },
 * });
 * setDiagnostics({});
 * ```
 */
export interface SlowLockReport {
  /** The primitive waited for: `'Mutex'`, `'RwLock'` or `'Semaphore'`. */
  readonly kind: 'Mutex' | 'RwLock' | 'Semaphore';
  /** RwLock only: the side this thread asked for. */
  readonly mode?: 'read' | 'write';
  /** The lock's byte offset in {@link SlowLockReport.buffer}; with the buffer, it tells locks apart. */
  readonly byteOffset: number;
  /** The shared memory holding the lock. */
  readonly buffer: SharedArrayBuffer;
  /**
   * Runtime thread id of a thread holding it when the report was made: the Mutex owner, the RwLock
   * writer, else the first of {@link SlowLockReport.holders}; -1 when none is known (it was just
   * released, or its holders are not tracked).
   */
  readonly ownerThreadId: number;
  /**
   * Every thread known to hold it when the report was made, with how much each holds: the Mutex
   * owner or RwLock writer (count 1), the RwLock readers with their read-lock counts, or the holders
   * of a robust Semaphore's permits with their permit counts. Holdings not recorded anywhere are
   * missing (a plain Semaphore's permits; read locks or permits of threads beyond the 64 the holder
   * table tracks); {@link SlowLockReport.message} says how many.
   */
  readonly holders: readonly SlowLockHolder[];
  /** How long the current thread has waited so far, in ms. */
  readonly waitedMs: number;
  /** A readable summary. */
  readonly message: string;
}

/**
 * Options of {@link setDiagnostics}.
 *
 * @example
 * ```ts
 * import { setDiagnostics } from 'threadkit/mutex';
 * setDiagnostics({ lockOrder: true, slowLockMs: 1000, onSlowLock: (report) => console.error(report.message) });
 * // ... later, to turn them off again:
 * setDiagnostics({});
 * ```
 */
export interface DiagnosticsOptions {
  /**
   * Report a wait longer than this (ms) for a Mutex, an RwLock (either side) or Semaphore permits:
   * blocking, timed (`tryLock(t)`, `tryAcquire(n, t)`, ... with `t` above the threshold) and async
   * waits. A timed wait keeps its whole timeout.
   * @default Infinity (off)
   */
  readonly slowLockMs?: number | undefined;
  /**
   * Receives slow-lock reports, on the waiting thread, in the middle of its wait. If it throws, the
   * waiting call throws (or rejects with) that error without acquiring anything, as a timeout would
   * leave it: the lock stays consistent and usable.
   * @default console.warn of the report's message
   */
  readonly onSlowLock?: ((report: SlowLockReport) => void) | undefined;
  /** Detect lock-order inversions between mutexes in this thread. @default false */
  readonly lockOrder?: boolean | undefined;
}

/** A lock as the diagnostics see it. */
export interface Lockable {
  readonly buffer: SharedArrayBuffer;
  readonly byteOffset: number;
}

/** A lock the lock-order graph tracks: it can tell whether this thread still holds it. */
export interface OrderedLock extends Lockable {
  readonly isHeldByCurrentThread: boolean;
}

/** An entry of {@link DiagnosticsState.held}. */
export interface HeldLock {
  readonly key: string;
  readonly lock: OrderedLock;
}

/** The settings and lock-order graph of this thread (see the header on why through globalThis). */
export interface DiagnosticsState {
  slowLockMs: number;
  onSlowLock: (report: SlowLockReport) => void;
  lockOrder: boolean;
  /**
   * True while `Mutex.lock()` may take a free mutex with a bare compareExchange: this thread may
   * block (so `lock()` is allowed at all) and lock-order detection is off. One flag, so the fast path
   * tests one thing.
   */
  fastLock: boolean;
  /**
   * Lock-order graph (src/mutex/lock-order.ts): the locks this thread acquired, in order, and their
   * keys. Releases are not recorded (unlock stays one exchange): entries this thread no longer
   * holds are dropped before the list is read.
   */
  readonly held: HeldLock[];
  /** Lock-order graph: `after.get(a)` holds every lock acquired while `a` was held. */
  readonly after: Map<string, Set<string>>;
  /** Lock-order graph: a number per buffer, for lock keys. */
  readonly bufferIds: WeakMap<SharedArrayBuffer, number>;
  nextBufferId: number;
}

const warn = (report: SlowLockReport): void => console.warn(report.message);

/** Versioned: a future layout change takes a new key rather than misreading this one. */
const STATE_KEY = Symbol.for('threadkit.diagnostics.state.v2');

/** The current settings of this thread, shared by every build of threadkit loaded into it. */
export const diagnostics: DiagnosticsState = ((globalThis as Record<symbol, DiagnosticsState | undefined>)[
  STATE_KEY
] ??= {
  slowLockMs: Infinity,
  onSlowLock: warn,
  lockOrder: false,
  fastLock: canBlock(),
  held: [],
  after: new Map(),
  bufferIds: new WeakMap(),
  nextBufferId: 0,
});

/** Every key of {@link DiagnosticsOptions}: checkOptions refuses any other. */
const DIAGNOSTICS_KEYS: OptionKeys<DiagnosticsOptions> = {
  lockOrder: true,
  onSlowLock: true,
  slowLockMs: true,
};

/**
 * Turns the opt-in deadlock diagnostics of this thread on or off (pass `{}` to reset). The settings
 * cover every Mutex, RwLock and Semaphore the thread waits for, whichever entry point (or build: ESM
 * and CommonJS share them) it came from; other threads keep their own.
 *
 * @param options - see {@link DiagnosticsOptions}
 * @throws TypeError/RangeError for bad options (an unknown key included), naming the option
 * @example
 * ```ts
 * import { Mutex, setDiagnostics } from 'threadkit/mutex';
 * setDiagnostics({ lockOrder: true, slowLockMs: 1000 });
 * const [a, b] = [new Mutex(), new Mutex()];
 * a.withLock(() => b.withLock(() => {}));
 * try {
 *   b.withLock(() => a.withLock(() => {}));
 * } catch (err) {
 *   console.log((err as Error).name); // 'LockOrderError'
 * }
 * setDiagnostics({});
 * ```
 */
export function setDiagnostics(options: DiagnosticsOptions): void {
  const opts = checkOptions<DiagnosticsOptions>(options, DIAGNOSTICS_KEYS, 'setDiagnostics()');
  const slow = checkTimeout(opts.slowLockMs, 'slowLockMs');
  if (opts.onSlowLock !== undefined && typeof opts.onSlowLock !== 'function') {
    throw new TypeError(`Expected \`onSlowLock\` to be a function, got ${describe(opts.onSlowLock)}`);
  }
  if (opts.lockOrder !== undefined && typeof opts.lockOrder !== 'boolean') {
    throw new TypeError(`Expected \`lockOrder\` to be a boolean, got ${describe(opts.lockOrder)}`);
  }
  diagnostics.slowLockMs = slow;
  diagnostics.onSlowLock = opts.onSlowLock ?? warn;
  diagnostics.lockOrder = opts.lockOrder ?? false;
  diagnostics.fastLock = canBlock() && !diagnostics.lockOrder;
  if (!diagnostics.lockOrder) {
    diagnostics.held.length = 0;
    diagnostics.after.clear();
  }
}

/**
 * Runs a wait of `timeoutMs` as `wait(ms)` (true: acquired). With a slow-lock threshold below
 * `timeoutMs`, it waits up to the threshold, calls `report(threshold)` once, then waits out the rest,
 * so the total is still `timeoutMs`. Call it on a slow path only: it reads the settings.
 */
export function waitReporting(
  timeoutMs: number,
  wait: (ms: number) => boolean,
  report: (waitedMs: number) => void,
): boolean {
  const slow = diagnostics.slowLockMs;
  if (timeoutMs <= slow) return wait(timeoutMs);
  if (wait(slow)) return true;
  report(slow);
  return wait(timeoutMs - slow);
}

/** The async {@link waitReporting}. */
export async function waitReportingAsync(
  timeoutMs: number,
  wait: (ms: number) => Promise<boolean>,
  report: (waitedMs: number) => void,
): Promise<boolean> {
  const slow = diagnostics.slowLockMs;
  if (timeoutMs <= slow) return wait(timeoutMs);
  if (await wait(slow)) return true;
  report(slow);
  return wait(timeoutMs - slow);
}

/** What a primitive knows about a slow wait; {@link reportSlow} completes the report. */
export interface SlowWait {
  readonly kind: SlowLockReport['kind'];
  readonly mode?: 'read' | 'write';
  /** Every known holder; the first is reported as the owner (put the write owner first). */
  readonly holders: readonly SlowLockHolder[];
  readonly waitedMs: number;
  /** What was waited for, for the message: 'a Mutex', 'the write lock of an RwLock', ... */
  readonly subject: string;
  /** Who holds it, for the message: 'thread 3 holds it', ... */
  readonly who: string;
}

/** Reports a slow wait on `lock` through this thread's `onSlowLock`. */
export function reportSlow(lock: Lockable, wait: SlowWait): void {
  const { kind, mode, holders, waitedMs } = wait;
  diagnostics.onSlowLock({
    kind,
    ...(mode === undefined ? {} : { mode }),
    buffer: lock.buffer,
    byteOffset: lock.byteOffset,
    ownerThreadId: holders[0]?.threadId ?? -1,
    holders,
    waitedMs,
    message: `threadkit: ${wait.subject} (byteOffset ${lock.byteOffset}) has been waited for ${Math.round(waitedMs)} ms; ${wait.who}`,
  });
}

/** "thread 3", "threads 3 and 4", "threads 3, 4 and 5". */
export function threadList(ids: readonly (number | string)[]): string {
  if (ids.length === 1) return `thread ${ids[0]}`;
  return `threads ${ids.slice(0, -1).join(', ')} and ${ids[ids.length - 1]}`;
}

/** The lock's place in memory, for a primitive's internals that only keep an Int32Array and a base. */
export function lockAt(i32: Int32Array, base: number): Lockable {
  return { buffer: i32.buffer as SharedArrayBuffer, byteOffset: i32.byteOffset + base * 4 };
}
