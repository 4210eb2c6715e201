// Opt-in deadlock diagnostics for Mutex, per thread (each thread that wants them calls setDiagnostics):
//   - slow locks: a blocking or async acquisition that waits longer than `slowLockMs` is reported once
//     (which thread holds the lock, how long this one has waited), then keeps waiting;
//   - lock order: every acquisition of B while holding A records the edge A → B in this thread's
//     lock-order graph; acquiring A while holding B after that (an inversion, the classic two-lock
//     deadlock) throws LockOrderError before it can block. Like Linux's lockdep, it finds the
//     inversion the first time both orders are used, even when the timing happens not to deadlock.
// Both are off by default and cost one branch on lock and unlock while off.
import { LockOrderError } from '../errors.js';
import { checkOptions, checkTimeout, describe } from '../internal/validate.js';

/**
 * What {@link DiagnosticsOptions.onSlowLock} receives.
 *
 * @example
 * ```ts
 * import { setDiagnostics, type SlowLockReport } from 'threadkit/mutex';
 * setDiagnostics({
 *   slowLockMs: 500,
 *   onSlowLock: (report: SlowLockReport) =>
 *     console.warn(`${report.kind} held by thread ${report.ownerThreadId}; waited ${report.waitedMs} ms`),
 * });
 * ```
 */
export interface SlowLockReport {
  /** `'Mutex'`. */
  readonly kind: string;
  /** The lock's byte offset in {@link SlowLockReport.buffer}; with the buffer, it tells locks apart. */
  readonly byteOffset: number;
  /** The shared memory holding the lock. */
  readonly buffer: SharedArrayBuffer;
  /** Runtime thread id of the thread holding it when the report was made (-1: none by then). */
  readonly ownerThreadId: number;
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
  /** Report a lock wait longer than this (ms). @default Infinity (off) */
  readonly slowLockMs?: number;
  /** Receives slow-lock reports. @default console.warn of the report's message */
  readonly onSlowLock?: (report: SlowLockReport) => void;
  /** Detect lock-order inversions between mutexes in this thread. @default false */
  readonly lockOrder?: boolean;
}

/** A lock as the diagnostics see it. */
interface Lockable {
  readonly buffer: SharedArrayBuffer;
  readonly byteOffset: number;
}

/** The current settings of this thread (module state: one per thread). */
export const diagnostics = {
  slowLockMs: Infinity,
  onSlowLock: (report: SlowLockReport) => console.warn(report.message),
  lockOrder: false,
};

/**
 * Turns the opt-in deadlock diagnostics of this thread on or off (pass `{}` to reset).
 *
 * @param options - see {@link DiagnosticsOptions}
 * @throws TypeError/RangeError for bad options, naming the option
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
  const opts = checkOptions<DiagnosticsOptions>(options);
  const slow = checkTimeout(opts.slowLockMs, 'slowLockMs');
  if (opts.onSlowLock !== undefined && typeof opts.onSlowLock !== 'function') {
    throw new TypeError(`Expected \`onSlowLock\` to be a function, got ${describe(opts.onSlowLock)}`);
  }
  if (opts.lockOrder !== undefined && typeof opts.lockOrder !== 'boolean') {
    throw new TypeError(`Expected \`lockOrder\` to be a boolean, got ${describe(opts.lockOrder)}`);
  }
  diagnostics.slowLockMs = slow;
  diagnostics.onSlowLock = opts.onSlowLock ?? ((report) => console.warn(report.message));
  diagnostics.lockOrder = opts.lockOrder ?? false;
  if (!diagnostics.lockOrder) {
    held.length = 0;
    after.clear();
  }
}

/** Reports a slow wait on `lock`. */
export function reportSlow(kind: string, lock: Lockable, ownerThreadId: number, waitedMs: number): void {
  const who = ownerThreadId >= 0 ? `thread ${ownerThreadId} holds it` : 'it was just released';
  diagnostics.onSlowLock({
    kind,
    buffer: lock.buffer,
    byteOffset: lock.byteOffset,
    ownerThreadId,
    waitedMs,
    message: `threadkit: a ${kind} (byteOffset ${lock.byteOffset}) has been waited for ${Math.round(waitedMs)} ms; ${who}`,
  });
}

// Lock-order graph of this thread: `after.get(a)` holds every lock acquired while `a` was held.
const bufferIds = new WeakMap<SharedArrayBuffer, number>();
let nextBufferId = 0;
const held: string[] = [];
const after = new Map<string, Set<string>>();

function keyOf(lock: Lockable): string {
  let id = bufferIds.get(lock.buffer);
  if (id === undefined) bufferIds.set(lock.buffer, (id = ++nextBufferId));
  return `${id}:${lock.byteOffset}`;
}

/** Before acquiring `lock`: throws LockOrderError if some held lock was ever acquired after it. */
export function checkOrder(lock: Lockable): void {
  const key = keyOf(lock);
  if (held.includes(key)) return; // reentrant relock
  const later = after.get(key);
  const inverted = later && held.find((h) => later.has(h));
  if (inverted) {
    throw new LockOrderError(
      `Lock-order inversion: acquiring lock ${key} while holding ${inverted}, but ${inverted} was acquired while holding ${key} before; two threads doing both can deadlock`,
    );
  }
}

/** After acquiring `lock`: records the order edges. */
export function noteAcquired(lock: Lockable): void {
  const key = keyOf(lock);
  if (held.includes(key)) return;
  for (const h of held) {
    let set = after.get(h);
    if (!set) after.set(h, (set = new Set()));
    set.add(key);
  }
  held.push(key);
}

/** After releasing `lock` (its last level). */
export function noteReleased(lock: Lockable): void {
  const i = held.lastIndexOf(keyOf(lock));
  if (i >= 0) held.splice(i, 1);
}
