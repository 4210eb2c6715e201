// Acquiring a Mutex on behalf of the current thread, past the fast paths that the Mutex class keeps
// inlined: the blocking/timed and async slow paths (split once for the slow-lock report of the
// diagnostics), relock detection (reentrant depth or DeadlockError), and the guards, including the
// OwnerDiedError a takeover throws and the release withLock/withLockAsync do then. The Mutex class is
// the documented surface; the algorithm on the lock word is in raw-mutex.ts.
import { BlockingNotAllowedError, DeadlockError, OwnerDiedError } from '../errors.js';
import {
  diagnostics,
  reportSlow,
  waitReporting,
  waitReportingAsync,
  type Lockable,
  type OrderedLock,
} from '../internal/diagnostics.js';
import { linkedSignal } from '../internal/abort-listeners.js';
import { canBlock } from '../internal/runtime.js';
import { TID, beginHold, currentHold } from './hold.js';
import { noteAcquired } from './lock-order.js';
import { Guard, type MutexGuard } from './mutex-guard.js';
import {
  DEPTH,
  LOCKED,
  OWNER_DIED,
  STATE,
  TIMED_OUT,
  acquireSlow,
  acquireSlowAsync,
  ownerIsDead,
  ownerOf,
  tryAcquireFast,
} from './raw-mutex.js';

/** Whether this thread may block (probed once: this never changes for a thread). */
export const BLOCKING_ALLOWED = canBlock();

/** The Mutex as seen from here: what its guard releases and what the diagnostics name it by. */
export type Unlockable = OrderedLock & { unlock(): void };

/** A guard for a lock just acquired; throws OwnerDiedError (with the guard) after a takeover. */
export function guardFor(mutex: Unlockable, i32: Int32Array, base: number, got: number): MutexGuard {
  if (diagnostics.lockOrder) noteAcquired(mutex);
  // The dead owner's reentrant depth is meaningless now (DEPTH is only touched by the owner).
  if (got === OWNER_DIED) Atomics.store(i32, base + DEPTH, 0);
  // A reentrant relock shares the outermost hold; anything else starts a new one.
  const hold = Atomics.load(i32, base + DEPTH) === 0 ? beginHold(i32, base) : currentHold(i32, base);
  const guard = new Guard(mutex, i32, base, hold);
  if (got !== OWNER_DIED) return guard;
  throw new OwnerDiedError(
    'The previous owner of this Mutex died holding it; this thread now holds it (see `error.guard`)',
    guard,
  );
}

/** Blocking or timed acquisition shared by lock() and tryLock(): LOCKED, OWNER_DIED or TIMED_OUT. */
export function acquire(
  mutex: Lockable,
  i32: Int32Array,
  base: number,
  reentrant: boolean,
  timeoutMs: number,
): number {
  // A call that may block throws on a thread that may not, even when the lock happens to be free:
  // otherwise it would fail only under contention, which a test on an idle page never shows.
  if (timeoutMs !== 0 && !BLOCKING_ALLOWED) throw notAllowed(timeoutMs);
  if (tryAcquireFast(i32, base, TID)) return LOCKED;
  const state = Atomics.load(i32, base + STATE);
  if (ownerOf(state) === TID) {
    if (reentrant) {
      Atomics.add(i32, base + DEPTH, 1);
      return LOCKED;
    }
    // Ownership is per thread, so the holder may be another async task of this thread: `reentrant`
    // would let that task and this one in at once, so the message says what fits each case.
    throw new DeadlockError(
      'This thread already holds this Mutex; locking it again would deadlock. If another async task of ' +
        'this thread holds it, wait with lockAsync() or withLockAsync() (`reentrant: true` would let both ' +
        'tasks in at once); if this code locks it again while holding it, create it with `reentrant: true`',
    );
  }
  // A zero timeout never blocks. The slow path (one check, no wait) takes over from a dead owner, and
  // claims a lock word with no owner: released meanwhile, or a fair handoff in flight, which a newcomer
  // in lock() would park on instead (raw-mutex I6), but which may be meant for a waiter that died after
  // it was woken.
  if (timeoutMs === 0) {
    return ownerOf(state) === 0 || ownerIsDead(state) ? acquireSlow(i32, base, TID, 0) : TIMED_OUT;
  }
  // Diagnostics: past the slow-lock threshold, report once and wait out the rest.
  let got = TIMED_OUT;
  waitReporting(
    timeoutMs,
    (ms) => (got = acquireSlow(i32, base, TID, ms)) !== TIMED_OUT,
    (waited) => reportSlowMutex(mutex, i32, base, waited),
  );
  return got;
}

/** The async slow path, with the slow-lock report of the diagnostics. */
export async function acquireAsync(
  mutex: Lockable,
  i32: Int32Array,
  base: number,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<number> {
  let got = TIMED_OUT;
  // Many waits may share one signal: each gets its own, linked through the signal's one listener.
  const linked = linkedSignal(signal);
  try {
    await waitReportingAsync(
      timeoutMs,
      async (ms) => (got = await acquireSlowAsync(i32, base, TID, ms, linked.signal)) !== TIMED_OUT,
      (waited) => reportSlowMutex(mutex, i32, base, waited),
    );
  } finally {
    linked.done();
  }
  return got;
}

function reportSlowMutex(mutex: Lockable, i32: Int32Array, base: number, waitedMs: number): void {
  const owner = ownerOf(Atomics.load(i32, base + STATE)) - 1;
  reportSlow(mutex, {
    kind: 'Mutex',
    holders: owner >= 0 ? [{ threadId: owner, count: 1 }] : [],
    waitedMs,
    subject: 'a Mutex',
    who: owner >= 0 ? `thread ${owner} holds it` : 'it was just released',
  });
}

/** Rethrows `err`, first releasing the lock an OwnerDiedError holds (withLock does not run `fn` then). */
export function releaseIfOwnerDied(err: unknown): never {
  if (err instanceof OwnerDiedError) err.guard.unlock();
  throw err;
}

/** Runs `lock`, releasing the lock if it reports a dead owner (see {@link releaseIfOwnerDied}). */
export function released<G>(lock: () => G): G {
  try {
    return lock();
  } catch (err) {
    releaseIfOwnerDied(err);
  }
}

/** The error of lock() (`timeoutMs` Infinity) or a timed tryLock() on a thread that may not block. */
function notAllowed(timeoutMs: number): BlockingNotAllowedError {
  const [call, instead] =
    timeoutMs === Infinity
      ? ['Mutex.lock() can block', 'lockAsync() or tryLock() without a timeout']
      : [
          `Mutex.tryLock(${timeoutMs}) can block for up to ${timeoutMs} ms`,
          `lockAsync({ timeoutMs: ${timeoutMs} }) or tryLock() without a timeout`,
        ];
  return new BlockingNotAllowedError(
    `${call}, and this thread may not block (a browser main thread), so it throws even when the mutex is free; use ${instead} instead`,
  );
}
