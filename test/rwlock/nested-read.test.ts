// A thread that holds a read lock takes another while a writer waits: writer preference must not queue
// it behind a writer that waits for this thread's first read lock (a deadlock nothing would break).
import { describe, expect, it } from 'vitest';
import { RwLock } from 'threadkit/rwlock';
import { spawn } from 'threadkit/thread';
import { sleep, withWatchdog } from '../helpers/toolbox-workers.js';

/** Waits until a writer queues: from then on, a thread holding no read lock is kept out. */
async function untilWriterQueued(lock: RwLock): Promise<void> {
  const outsider = (l: RwLock): boolean => {
    const g = l.tryReadLock();
    g?.unlock();
    return g === null;
  };
  while (!(await spawn(outsider, lock).join())) await sleep(5);
}

describe('RwLock nested read locks', () => {
  it('a thread holding a read lock gets another while a writer waits; others still queue behind the writer', async () => {
    const lock = new RwLock();
    const first = lock.readLock();
    const writer = spawn((l: RwLock) => {
      using _w = l.writeLock();
      return l.isWriteLocked;
    }, lock);
    await withWatchdog(untilWriterQueued(lock), 5000, 'the writer to queue');
    // Blocking, timed and async forms: each joins at once instead of waiting for the writer.
    const nested = lock.tryReadLock(2000);
    expect(nested).not.toBeNull();
    const zero = lock.tryReadLock();
    expect(zero).not.toBeNull();
    const viaAsync = await withWatchdog(lock.readLockAsync({ timeoutMs: 2000 }), 3000, 'readLockAsync');
    const viaOther = RwLock.from(structuredClone(lock)).tryReadLock(); // the same memory, another instance
    expect(viaOther).not.toBeNull();
    expect(lock.readers).toBe(5);
    expect(lock.isWriteLocked).toBe(false);
    for (const g of [viaOther!, viaAsync, zero!, nested!]) g.unlock();
    expect(writer.isAlive).toBe(true); // still waiting for the first read lock
    first.unlock();
    expect(await withWatchdog(writer.join(), 5000, 'the writer')).toBe(true);
    expect(lock.readers + Number(lock.isWriteLocked)).toBe(0);
  });
});
