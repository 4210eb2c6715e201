import { describe, expect, it } from 'vitest';
import { DeadlockError, NotOwnerError, RwLock, TimeoutError } from '../../src/rwlock/index.js';
import { Event } from '../../src/event/index.js';
import { WRITER_SEQ } from '../../src/rwlock/raw-rwlock.js';
import { sleep, withWatchdog } from '../helpers/toolbox-workers.js';

describe('RwLock (one thread)', () => {
  it('shares reads, excludes writes', () => {
    const l = new RwLock();
    const r1 = l.readLock();
    const r2 = l.tryReadLock()!;
    expect(l.readers).toBe(2);
    r1.unlock();
    r2.unlock();
    {
      using _w = l.writeLock();
      expect(l.isWriteLocked).toBe(true);
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
    // As Mutex.tryLock(): a try that can never succeed is a bug, also with no timeout.
    expect(() => l.tryWriteLock()).toThrow(DeadlockError);
    expect(() => l.tryReadLock()).toThrow(/holds the RwLock's write lock/);
    expect(l.isWriteLocked).toBe(true);
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

  it('refuses an unknown option key with a TypeError naming it, taking nothing', async () => {
    expect(() => new RwLock({ offset: 8 } as never)).toThrow(TypeError);
    expect(() => new RwLock({ offset: 8 } as never)).toThrow(
      'Unknown option `offset` in `options` of new RwLock() (known: buffer, byteOffset)',
    );
    expect(() => new RwLock({ byteoffset: 0 } as never)).toThrow(/did you mean `byteOffset`\?/);
    const rw = new RwLock({ buffer: new SharedArrayBuffer(RwLock.BYTES), byteOffset: 0 });
    await expect(rw.readLockAsync({ timeout: 50 } as never)).rejects.toThrow(
      /^Unknown option `timeout` in `options` of RwLock\.readLockAsync\(\); did you mean `timeoutMs`\?/,
    );
    await expect(rw.writeLockAsync({ timeout: 50 } as never)).rejects.toThrow(
      /^Unknown option `timeout` in `options` of RwLock\.writeLockAsync\(\)/,
    );
    expect(rw.isWriteLocked || rw.readers > 0).toBe(false);
    using _read = await rw.readLockAsync({ timeoutMs: 10 });
    await expect(rw.writeLockAsync({ signal: undefined, timeoutMs: 10 })).rejects.toBeInstanceOf(
      TimeoutError,
    );
  });

  it('upgrading a read lock to the write lock throws DeadlockError at once, and changes nothing', async () => {
    const l = new RwLock();
    const r = l.readLock();
    // The bounded calls first: without the check they return null here instead of hanging the test.
    expect(() => l.tryWriteLock(50)).toThrow(DeadlockError);
    expect(() => l.tryWriteLock()).toThrow(DeadlockError);
    expect(() => l.writeLock()).toThrow(DeadlockError);
    expect(() => l.writeLock()).toThrow(/upgrading a read lock to the write lock would deadlock/);
    // Also through another instance on the same memory: the holder table is per thread.
    const same = RwLock.from(structuredClone(l));
    expect(() => same.tryWriteLock(10)).toThrow(expect.objectContaining({ code: 'ERR_DEADLOCK' }));
    expect(() => same.writeLock()).toThrow(DeadlockError);
    // The failed calls left no writer queued: readers still join, and the lock is free once released.
    expect(l.readers).toBe(1);
    same.tryReadLock()!.unlock();
    r.unlock();
    l.writeLock().unlock();
    // A read lock taken asynchronously counts the same.
    const ra = await l.readLockAsync();
    expect(() => l.tryWriteLock(10)).toThrow(DeadlockError);
    ra.unlock();
    l.tryWriteLock()!.unlock();
  });

  it('an async write request by a thread holding a read lock waits for it (another task may release it)', async () => {
    const l = new RwLock();
    const r = await l.readLockAsync();
    const writer = l.writeLockAsync();
    await sleep(5);
    expect(l.isWriteLocked).toBe(false);
    r.unlock(); // the other async task of this thread releases its read lock
    (await withWatchdog(writer, 2000, 'the writer')).unlock();
  });

  it('a waiting writer gets the lock when the reads end; nested reads of the holder join meanwhile', async () => {
    // That new readers of other threads queue behind a waiting writer: test/rwlock/nested-read.test.ts.
    const l = new RwLock();
    const r = l.readLock();
    const writer = l.writeLockAsync();
    await sleep(5);
    expect(l.isWriteLocked).toBe(false);
    l.tryReadLock()!.unlock(); // this thread holds a read lock: a further one is nested, and joins
    r.unlock();
    const w = await withWatchdog(writer, 2000, 'the writer');
    expect(l.isWriteLocked).toBe(true);
    w.unlock();
  });

  it('async timeout and abort; an aborted writer does not swallow the wake-up of the next', async () => {
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
    r.unlock(); // the aborted writer's native wait, first in the list (FIFO), was evicted at the abort
    (await withWatchdog(live, 2000, 'the live writer')).unlock();
    // After all that, readers are not left queued behind nobody.
    l.tryReadLock()!.unlock();
  });

  it('an aborted writeLockAsync leaves no wait behind in the waiter list (I3 of raw-rwlock)', async () => {
    const l = new RwLock();
    const r = l.readLock();
    const reason = new Error('stop');
    const ac = new AbortController();
    const aborted = l.writeLockAsync({ signal: ac.signal });
    await sleep(2);
    ac.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    // Nobody sleeps on WRITER_SEQ any more: a notify finds nobody to wake.
    expect(Atomics.notify(new Int32Array(l.buffer), l.byteOffset / 4 + WRITER_SEQ, Infinity)).toBe(0);
    r.unlock();
    l.tryWriteLock()!.unlock();
  });
});
