// The wait loop shared by the value-waiting primitives (Semaphore, Event, Latch, Condition, Barrier,
// Queue, RwLock, Once): re-check a condition, sleep on one slot while it holds the value the check saw,
// repeat. Keeping the loop in one place keeps the deadline arithmetic, the abort race and the eviction
// of abandoned waits identical everywhere. The Mutex keeps its own loop because it also spins and
// tracks fairness.
import { onAbort } from './abort-listeners.js';
import { now } from './runtime.js';
import { waitAsync, waitSync, type WaitResult } from './wait.js';

/**
 * A primitive's condition check. It returns `null` when the wait is over (it may have taken what it
 * waited for, e.g. permits), or the value of the wait slot it saw; the waiter then sleeps only while
 * the slot still holds that value, so a change made after the check can never be missed.
 */
export type Check = () => number | null;

/**
 * Blocks until `check()` returns null, sleeping on `i32[index]` in between. Returns false if
 * `timeoutMs` passed first (0: one check, no sleep). A sleep lasts at most `pollMs`, so `check()` also
 * runs for changes that come with no notify (a lock owner that died).
 */
export function parkUntil(
  i32: Int32Array,
  index: number,
  timeoutMs: number,
  what: string,
  check: Check,
  pollMs = Infinity,
): boolean {
  const deadline = now() + timeoutMs;
  for (;;) {
    const seen = check();
    if (seen === null) return true;
    const left = deadline - now();
    if (left <= 0) return false;
    // Sleeps only while the slot still holds `seen`; any later write is followed by a notify.
    waitSync(i32, index, seen, Math.min(left, pollMs), what);
  }
}

/**
 * Non-blocking {@link parkUntil}. Resolves true when done, false when `timeoutMs` passed; rejects with
 * `signal.reason` when aborted. `onAbandoned` runs at once when an abort abandons a wait that stays in
 * the runtime's waiter list, to evict it (see {@link waitOnceAsync}); primitives whose every notify
 * wakes all their waiters need not pass one. A wait lasts at most `pollMs`, as in {@link parkUntil}.
 */
export async function parkUntilAsync(
  i32: Int32Array,
  index: number,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  check: Check,
  onAbandoned?: () => void,
  pollMs = Infinity,
): Promise<boolean> {
  const deadline = now() + timeoutMs;
  if (signal?.aborted) throw signal.reason;
  for (;;) {
    // Check before honouring an abort: a wake-up delivered before the abort (the wait resolved 'ok',
    // then the signal fired before this continuation ran) must not be dropped; notify(1) would be lost.
    const seen = check();
    if (seen === null) return true;
    if (signal?.aborted) throw signal.reason;
    const left = deadline - now();
    if (left <= 0) return false;
    await waitOnceAsync(i32, index, seen, Math.min(left, pollMs), signal, undefined, onAbandoned);
  }
}

/**
 * One non-blocking wait while `i32[index]` holds `expected`: resolves with how it ended ('ok',
 * 'not-equal' or 'timed-out'); rejects with `signal.reason` when aborted first. The wait it abandons on
 * abort may stay in the runtime's waiter list and absorb a notify. With `onAbandoned`, that runs at
 * once, before the rejection, to evict it (by waking every waiter on the slot). Otherwise, if the
 * abandoned wait absorbs a notify later, `onAbsorbed` runs so the caller can pass that wake-up on; but
 * only once this thread's event loop runs again, which may be never if the thread blocks meanwhile
 * (see Condition's I2): no primitive uses it any more; the model checker keeps it to show that.
 */
export async function waitOnceAsync(
  i32: Int32Array,
  index: number,
  expected: number,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  onAbsorbed?: () => void,
  onAbandoned?: () => void,
): Promise<WaitResult | 'cancelled'> {
  const wait = waitAsync(i32, index, expected, timeoutMs);
  const outcome = await raceAbort(wait.result, signal);
  if (outcome === 'aborted') {
    wait.cancel();
    // The native waiter stays in the runtime's list until notified or timed out (see AsyncWait).
    if (wait.absorbsNotify) {
      if (onAbandoned !== undefined) onAbandoned();
      else if (onAbsorbed !== undefined) void wait.result.then((v) => v === 'ok' && onAbsorbed());
    }
    throw signal?.reason;
  }
  return outcome;
}

/** Settles with `result`'s value, or with 'aborted' as soon as `signal` aborts. */
export function raceAbort<T>(result: Promise<T>, signal: AbortSignal | undefined): Promise<T | 'aborted'> {
  if (signal === undefined) return result;
  if (signal.aborted) return Promise.resolve('aborted');
  return new Promise((resolve) => {
    // Through the signal's one shared listener: many waits may share a signal (abort-listeners.ts).
    const unregister = onAbort(signal, () => resolve('aborted'));
    void result.then((v) => {
      unregister();
      resolve(v);
    });
  });
}
