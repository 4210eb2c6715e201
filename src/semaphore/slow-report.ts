// The slow-lock report of a Semaphore wait (deadlock diagnostics, src/internal/diagnostics.ts): who
// holds the permits. Only a robust semaphore knows: its holder table (raw-semaphore) records each
// thread's permits, except those of threads that found the table full. A plain semaphore's permits
// are not owned, so its report says how many are out (when it is bounded) and that holders are not
// tracked. Only runs when a wait passes the threshold.
import { lockAt, reportSlow, threadList, type SlowLockHolder } from '../internal/diagnostics.js';
import { listHolders } from '../internal/holders.js';
import { COUNT, FLAGS, HOLDERS, MAX, ROBUST_FLAG } from './raw-semaphore.js';

/** Reports that this thread has waited `waitedMs` for `n` permits of the semaphore at `base`. */
export function reportSlowSemaphore(i32: Int32Array, base: number, n: number, waitedMs: number): void {
  const available = Atomics.load(i32, base + COUNT);
  const max = Atomics.load(i32, base + MAX); // 0: unbounded, nobody knows how many are out
  const out = max > 0 ? `${max - available} of ${max} permits out` : undefined;
  const robust = (Atomics.load(i32, base + FLAGS) & ROBUST_FLAG) !== 0;
  let holders: SlowLockHolder[] = [];
  let who: string;
  if (!robust) {
    who = `${out === undefined ? '' : `${out}, `}holders not tracked (not a robust Semaphore)`;
  } else {
    holders = listHolders(i32, base + HOLDERS);
    const parts = out === undefined ? [] : [out];
    if (holders.length > 0) {
      const counts = holders.map((h) => `${h.threadId} (${h.count})`);
      parts.push(`${threadList(counts)} hold${holders.length === 1 ? 's' : ''} permits`);
    }
    const untracked = max - available - holders.reduce((sum, h) => sum + h.count, 0);
    if (max > 0 && untracked > 0) parts.push(`${untracked} untracked`);
    if (holders.length === 0 && (max === 0 || untracked <= 0)) parts.push('no holder recorded');
    who = parts.join(', ');
  }
  const wanted = `waiting for ${n} permit${n === 1 ? '' : 's'}, ${available} available`;
  reportSlow(lockAt(i32, base), {
    kind: 'Semaphore',
    holders,
    waitedMs,
    subject: 'a Semaphore',
    who: `${wanted}; ${who}`,
  });
}
