// Who holds a mutex, and which of its holds a guard belongs to. The lock word names the owning thread
// (TID); the HOLD slot names the owner's current hold, so that a guard whose hold already ended (its
// mutex released through `mutex.unlock()`, then locked again) cannot release the later hold.
import { threadId } from '../internal/runtime.js';
import { HOLD, OWNER_MASK, STATE } from './raw-mutex.js';

/** The lock-word id of the current thread: its runtime thread id + 1, so that 0 means "nobody". */
export const TID = threadId + 1;
if (TID > OWNER_MASK) throw new RangeError(`Thread id ${threadId} does not fit in a Mutex lock word`);

// Hold ids of this thread. Only this thread's own ids are ever compared (a guard checks that this
// thread owns the lock first), so ids need only differ between this thread's holds: a counter, whose ids
// repeat only after 2^32 holds. The ESM and CommonJS builds, if both are loaded into one thread, each
// have their own counter (a shared one would cost a property load on every lock()), so their starts are
// spread instead: the n-th build loaded into the thread starts at n times 2^32 / golden ratio (mod
// 2^32), from a count kept on globalThis. Two builds' counters are then 1.6e9 ids apart at first, so a
// stale guard of one cannot match a later hold taken through the other before ~1.6e9 holds.
const BUILDS_KEY = Symbol.for('threadkit.mutex.holdBuilds.v1');
const builds = ((globalThis as Record<symbol, { count: number } | undefined>)[BUILDS_KEY] ??= { count: 0 });
let lastHold = Math.imul(builds.count++, 0x9e3779b9);

/** Starts a new hold of the mutex at `base` (just acquired, outermost) and returns its id. */
export function beginHold(i32: Int32Array, base: number): number {
  const hold = (lastHold = (lastHold + 1) | 0);
  // A plain store: only the owner writes or reads HOLD, and the lock word orders it for the next owner.
  i32[base + HOLD] = hold;
  return hold;
}

/** The current hold's id (for a reentrant relock, which shares the outermost hold). */
export const currentHold = (i32: Int32Array, base: number): number => i32[base + HOLD]!;

/** Puts back a hold's id after its mutex was released and reacquired on its behalf (Condition.wait). */
export function restoreHold(i32: Int32Array, base: number, hold: number): void {
  i32[base + HOLD] = hold;
}

/**
 * Whether this thread holds the mutex at `base` in the hold `hold`. Plain reads suffice (an Atomics.load
 * is a builtin call, on every guard release): the owner field names this thread only from this thread's
 * own acquiring CAS to its own release, and no read of this thread can see a write older than its own
 * later release; HOLD is written by the owner only.
 */
export const holds = (i32: Int32Array, base: number, hold: number): boolean =>
  (i32[base + STATE]! & OWNER_MASK) === TID && i32[base + HOLD] === hold;
