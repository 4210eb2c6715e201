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
    // The timed and try forms (and readLock(), the same path): each joins at once, not behind the writer.
    const nested = lock.tryReadLock(2000);
    expect(nested).not.toBeNull();
    const zero = lock.tryReadLock();
    expect(zero).not.toBeNull();
    const viaOther = RwLock.from(structuredClone(lock)).tryReadLock(); // the same memory, another instance
    expect(viaOther).not.toBeNull();
    expect(lock.readers).toBe(4);
    expect(lock.isWriteLocked).toBe(false);
    // readLockAsync() queues: it may be another async task of this thread, which must not barge.
    await expect(lock.readLockAsync({ timeoutMs: 50 })).rejects.toThrow(/timed out/);
    for (const g of [viaOther!, zero!, nested!]) g.unlock();
    expect(writer.isAlive).toBe(true); // still waiting for the first read lock
    first.unlock();
    expect(await withWatchdog(writer.join(), 5000, 'the writer')).toBe(true);
    expect(lock.readers + Number(lock.isWriteLocked)).toBe(0);
  });

  it('overlapping async readers of one thread do not keep a waiting writer out', async () => {
    const lock = new RwLock();
    let stop = false;
    let reads = 0;
    // Each async read holds the lock 5 ms and a new one starts every 2 ms, so this thread always holds
    // some read lock: joining as nested reads would starve the writer for good.
    const readers = (async () => {
      const inFlight: Promise<void>[] = [];
      while (!stop) {
        inFlight.push(
          lock.readLockAsync().then(async (g) => {
            reads++;
            await sleep(5);
            g.unlock();
          }),
        );
        await sleep(2);
      }
      await Promise.all(inFlight);
    })();
    while (reads < 5) await sleep(2);
    const writer = spawn((l: RwLock) => {
      const g = l.tryWriteLock(3000);
      g?.unlock();
      return g !== null;
    }, lock);
    try {
      expect(await withWatchdog(writer.join(), 6000, 'the writer')).toBe(true);
    } finally {
      stop = true;
      await readers;
    }
  });
});
