// The slow-lock report of an RwLock wait (deadlock diagnostics, src/internal/diagnostics.ts): who holds
// the lock, read from its memory. The writer is the OWNER slot; readers are the holder table's entries
// (I5 of raw-rwlock), which miss the read locks of threads that found the table full, and those of a
// reader between its STATE CAS and its record: STATE's reader count minus the table's sum is reported
// as untracked readers. Only runs when a wait passes the threshold.
import { lockAt, reportSlow, threadList, type SlowLockHolder } from '../internal/diagnostics.js';
import { listHolders } from '../internal/holders.js';
import { HOLDERS, LOCK_MASK, OWNER, STATE, WRITE_LOCKED, WRITERS_WAITING } from './raw-rwlock.js';

/** Reports that this thread has waited `waitedMs` for the `mode` side of the lock at `base`. */
export function reportSlowRw(i32: Int32Array, base: number, mode: 'read' | 'write', waitedMs: number): void {
  const s = Atomics.load(i32, base + STATE);
  const lock = s & LOCK_MASK;
  const subject = `${mode === 'read' ? 'a read lock' : 'the write lock'} of an RwLock`;
  let holders: SlowLockHolder[] = [];
  let who: string;
  if (lock === WRITE_LOCKED) {
    const owner = Atomics.load(i32, base + OWNER) - 1;
    // OWNER is stored just after the STATE CAS that takes the write lock (raw-rwlock).
    if (owner >= 0) holders = [{ threadId: owner, count: 1 }];
    who = owner >= 0 ? `thread ${owner} holds the write lock` : 'a writer is just taking the write lock';
  } else if (lock === 0) {
    who = 'it was just released';
  } else {
    holders = listHolders(i32, base + HOLDERS);
    const untracked = lock - holders.reduce((sum, h) => sum + h.count, 0);
    const parts: string[] = [];
    if (holders.length > 0) {
      const counts = holders.map((h) => `${h.threadId} (${h.count})`);
      parts.push(`${threadList(counts)} hold${holders.length === 1 ? 's' : ''} read locks`);
    }
    if (untracked > 0) parts.push(`${untracked} untracked reader${untracked === 1 ? '' : 's'}`);
    who = `${lock} read lock${lock === 1 ? '' : 's'} held: ${parts.join(', and ')}`;
  }
  // Writer preference: a queued writer keeps new readers out even while only readers hold the lock.
  if (mode === 'read' && (s & WRITERS_WAITING) !== 0) who += '; a writer is queued ahead of readers';
  reportSlow(lockAt(i32, base), { kind: 'RwLock', mode, holders, waitedMs, subject, who });
}
