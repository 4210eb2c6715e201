// Semaphore's slow paths: the waits of acquire()/tryAcquire() (plain and robust) and of
// acquireAsync(), each split once for the slow-lock report of the diagnostics. The Semaphore class
// keeps the fast paths (one tryTake) and calls in here only when too few permits are available. Kept
// apart so that the closures these make cost nothing on the fast path (variables they capture would
// be heap-allocated on every call of the function). The algorithm on the count is in raw-semaphore.ts.
import { TimeoutError } from '../errors.js';
import { OWNER_CHECK_MS } from '../internal/dead-threads.js';
import { waitReporting, waitReportingAsync } from '../internal/diagnostics.js';
import { parkUntil, parkUntilAsync } from '../internal/park.js';
import { COUNT, WAITERS, registered, tryTake } from './raw-semaphore.js';
import { type Holdings, RobustAttempt, recordAcquired, type Releasable } from './robust.js';
import { reportSlowSemaphore } from './slow-report.js';

/** acquire()/tryAcquire()'s wait for `n` permits of a plain semaphore; whether it took them. */
export function takeSlow(i32: Int32Array, base: number, n: number, timeoutMs: number): boolean {
  const what = blockingCall(timeoutMs);
  const park = (ms: number) => parkUntil(i32, base + COUNT, ms, what, () => tryTake(i32, base, n));
  return registered(i32, base, () => waitFor(i32, base, n, timeoutMs, park));
}

/**
 * acquire()/tryAcquire()'s slow path for a robust semaphore: reclaims dead holders' permits while it
 * waits, and records what it took in `holdings` (see {@link recordAcquired}).
 */
export function takeRobust(
  i32: Int32Array,
  base: number,
  holdings: Holdings,
  semaphore: Releasable,
  n: number,
  timeoutMs: number,
): boolean {
  const attempt = new RobustAttempt(i32, base, n);
  // A zero timeout never waits, but still gives back what dead holders held (as Mutex.tryLock()).
  const what = blockingCall(timeoutMs);
  const park = (ms: number) => parkUntil(i32, base + COUNT, ms, what, attempt.check, OWNER_CHECK_MS);
  const taken =
    timeoutMs === 0
      ? attempt.check() === null
      : registered(i32, base, () => waitFor(i32, base, n, timeoutMs, park));
  if (taken) recordAcquired(holdings, semaphore, n, attempt.reclaimed);
  return taken;
}

/**
 * acquireAsync's wait, kept apart from its fast path as takeSlow is. `holdings` is undefined unless
 * the semaphore is robust.
 */
export async function acquireSlowAsync(
  i32: Int32Array,
  base: number,
  holdings: Holdings | undefined,
  semaphore: Releasable,
  count: number,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): Promise<void> {
  const robust = holdings !== undefined ? new RobustAttempt(i32, base, count) : undefined;
  Atomics.add(i32, base + WAITERS, 1);
  let taken: boolean;
  try {
    // No onAbandoned: every release wakes all sleepers, so an absorbed notify strands nobody (I2).
    const park = (ms: number) =>
      robust === undefined
        ? parkUntilAsync(i32, base + COUNT, ms, signal, () => tryTake(i32, base, count))
        : parkUntilAsync(i32, base + COUNT, ms, signal, robust.check, undefined, OWNER_CHECK_MS);
    // Deadlock diagnostics: past the slow-lock threshold, report once and wait out the rest.
    taken = await waitReportingAsync(timeoutMs, park, (waited) =>
      reportSlowSemaphore(i32, base, count, waited),
    );
  } finally {
    Atomics.sub(i32, base + WAITERS, 1);
  }
  if (!taken) throw new TimeoutError(`Semaphore.acquireAsync(${count}) timed out after ${timeoutMs} ms`);
  if (robust !== undefined) recordAcquired(holdings!, semaphore, count, robust.reclaimed);
}

/** The call that blocks, for BlockingNotAllowedError's message: acquire() has no timeout. */
const blockingCall = (timeoutMs: number): string =>
  timeoutMs === Infinity ? 'Semaphore.acquire()' : 'Semaphore.tryAcquire()';

/** A blocking wait for `n` permits, split once for the slow-lock report of the diagnostics. */
function waitFor(
  i32: Int32Array,
  base: number,
  n: number,
  timeoutMs: number,
  park: (ms: number) => boolean,
): boolean {
  return waitReporting(timeoutMs, park, (waited) => reportSlowSemaphore(i32, base, n, waited));
}
