import { describe, expect, it } from 'vitest';
import { DeadlockError, NotOwnerError, RwLock, TimeoutError } from '../../src/rwlock/index.js';
import { Event } from '../../src/event/index.js';
import { sleep, withWatchdog } from '../helpers/toolbox-workers.js';

describe('RwLock (one thread)', () => {
  it('shares reads, excludes writes', () => {
    const l = new RwLock();
    const r1 = l.readLock();
    const r2 = l.tryReadLock()!;
    expect(l.readers).toBe(2);
    expect(l.tryWriteLock()).toBeNull();
    expect(l.tryWriteLock(10)).toBeNull();
    r1.unlock();
    r2.unlock();
    {
      using _w = l.writeLock();
      expect(l.isWriteLocked).toBe(true);
      expect(l.tryReadLock()).toBeNull();
    }
    expect(l.isWriteLocked).toBe(false);
    expect(l.readers).toBe(0);
  });

  it('misuse throws at once', () => {
    const l = new RwLock();
    const w = l.writeLock();
    expect(() => l.writeLock()).toThrow(DeadlockError);
    expect(() => l.readLock()).toThrow(DeadlockError);
    expect(() => l.tryWriteLock(50)).toThrow(DeadlockError);
    w.unlock();
    expect(() => w.unlock()).toThrow(NotOwnerError);
    const r = l.readLock();
    r.unlock();
    expect(() => r.unlock()).toThrow(NotOwnerError);
    expect(() => l.tryReadLock(-1)).toThrow(/`timeoutMs`/);
    expect(() =>
      RwLock.from(structuredClone(new Event({ buffer: new SharedArrayBuffer(RwLock.BYTES) }))),
    ).toThrow(/holds no RwLock/);
    using _ = RwLock.from(structuredClone(l)).readLock();
    expect(l.readers).toBe(1);
  });

  it('prefers writers: a waiting writer keeps new readers out, then gets the lock', async () => {
    const l = new RwLock();
    const r = l.readLock();
    const writer = l.writeLockAsync();
    await sleep(5);
    expect(l.tryReadLock()).toBeNull();
    const reader = l.readLockAsync();
    r.unlock();
    const w = await withWatchdog(writer, 2000, 'the writer');
    expect(l.isWriteLocked).toBe(true);
    w.unlock();
    (await withWatchdog(reader, 2000, 'the queued reader')).unlock();
  });

  it('async timeout and abort; an aborted writer passes its wake-up on', async () => {
    const l = new RwLock();
    const r = l.readLock();
    await expect(l.writeLockAsync({ timeoutMs: 10 })).rejects.toBeInstanceOf(TimeoutError);
    const reason = new Error('stop');
    const ac = new AbortController();
    const aborted = l.writeLockAsync({ signal: ac.signal });
    await sleep(2);
    const live = l.writeLockAsync();
    await sleep(2);
    ac.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    r.unlock(); // the wake-up lands on the aborted writer's native wait first (FIFO)
    (await withWatchdog(live, 2000, 'the live writer')).unlock();
    // After all that, readers are not left queued behind nobody.
    l.tryReadLock()!.unlock();
  });
});
