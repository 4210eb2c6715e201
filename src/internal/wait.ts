// Wait/notify on shared Int32 slots: the only module that calls Atomics.wait, Atomics.waitAsync and
// Atomics.notify. It adds what the raw calls lack: a clear error where blocking is forbidden, an
// async wait that keeps Node's event loop alive while it is pending (Node's native waitAsync does not),
// and a polling fallback for runtimes without Atomics.waitAsync.
import { BlockingNotAllowedError } from '../errors.js';
import { canBlock } from './runtime.js';

/** Outcome of a wait: woken by notify, the slot did not hold the expected value, or time ran out. */
export type WaitResult = 'ok' | 'not-equal' | 'timed-out';

/** Blocks until `i32[index] !== expected` is signalled by a notify, or `timeoutMs` passes. */
export function waitSync(
  i32: Int32Array,
  index: number,
  expected: number,
  timeoutMs: number,
  what: string,
): WaitResult {
  if (!canBlock()) {
    throw new BlockingNotAllowedError(
      `${what} would block, and this thread may not block (a browser main thread); use the async form instead`,
    );
  }
  return Atomics.wait(i32, index, expected, timeoutMs);
}

/** Wakes up to `count` threads (sync or async) waiting on `i32[index]`; returns how many were woken. */
export function notify(i32: Int32Array, index: number, count: number): number {
  return Atomics.notify(i32, index, count);
}

/**
 * A pending asynchronous wait. `result` settles with the outcome, or with `'cancelled'` if `cancel()`
 * was called first. After `cancel()` a native waiter may still be in the runtime's waiter list and
 * absorb one notify later (`result` then settles with `'ok'`), which may have been meant for another
 * waiter: the caller evicts it at once by waking every waiter on the slot (park.ts `onAbandoned`).
 */
export interface AsyncWait {
  readonly result: Promise<WaitResult | 'cancelled'>;
  /** Stops keeping the process alive for this wait and stops a polling fallback. */
  cancel(): void;
  /** Whether a notify can be absorbed by this waiter after `cancel()` (native waits only). */
  readonly absorbsNotify: boolean;
}

const nativeWaitAsync = (Atomics as { waitAsync?: typeof Atomics.waitAsync }).waitAsync;

// Keep-alive: Node's Atomics.waitAsync does not hold the event loop open, so a process whose only work
// is an awaited lockAsync() would exit. One ref'd interval is held while any async wait is pending.
let pendingWaits = 0;
let keepAliveTimer: ReturnType<typeof setInterval> | undefined;
function holdProcess(): () => void {
  if (pendingWaits++ === 0) keepAliveTimer = setInterval(() => {}, 2 ** 30);
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    if (--pendingWaits === 0 && keepAliveTimer !== undefined) {
      clearInterval(keepAliveTimer);
      keepAliveTimer = undefined;
    }
  };
}

/** Polling intervals of the fallback, in ms: quick at first, then backing off. */
const POLL_DELAYS = [0, 0, 1, 1, 2, 4, 8, 16];

/** Waits without blocking until `i32[index]` is notified (or changes, in the fallback) or `timeoutMs` passes. */
export function waitAsync(i32: Int32Array, index: number, expected: number, timeoutMs: number): AsyncWait {
  if (nativeWaitAsync !== undefined) {
    const r = nativeWaitAsync(i32, index, expected, timeoutMs);
    if (!r.async) return { result: Promise.resolve(r.value), cancel() {}, absorbsNotify: false };
    const release = holdProcess();
    let cancelled = false;
    const result = r.value.then((v) => {
      release();
      return cancelled && v !== 'ok' ? 'cancelled' : v;
    });
    return {
      result,
      cancel() {
        cancelled = true;
        release();
      },
      absorbsNotify: true,
    };
  }
  return pollUntilChanged(i32, index, expected, timeoutMs);
}

function pollUntilChanged(i32: Int32Array, index: number, expected: number, timeoutMs: number): AsyncWait {
  const deadline = performance.now() + timeoutMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let settle: (v: WaitResult | 'cancelled') => void = () => {};
  const result = new Promise<WaitResult | 'cancelled'>((resolve) => (settle = resolve));
  let attempt = 0;
  const poll = () => {
    if (Atomics.load(i32, index) !== expected) return settle(attempt === 0 ? 'not-equal' : 'ok');
    const left = deadline - performance.now();
    if (left <= 0) return settle('timed-out');
    const delay = POLL_DELAYS[Math.min(attempt++, POLL_DELAYS.length - 1)] ?? 16;
    timer = setTimeout(poll, Math.min(delay, left));
  };
  poll();
  return {
    result,
    cancel() {
      if (timer !== undefined) clearTimeout(timer);
      settle('cancelled');
    },
    absorbsNotify: false,
  };
}
