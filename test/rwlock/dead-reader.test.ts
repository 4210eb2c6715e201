// Dead readers (issue 8): a thread that dies holding RwLock read locks (terminated, crashed,
// process.exit()) must not hang the writers waiting for them. Its read locks are recorded in the
// lock's holder table and given back, silently, by a waiting thread's periodic check: a blocked writer
// gets the write lock within 100 ms of the death, with no OwnerDiedError. Threads run through the
// built package (`threadkit/rwlock`, `threadkit/thread`), every wait under a watchdog.
import { describe, expect, it } from 'vitest';
import { RwLock, TimeoutError } from 'threadkit/rwlock';
import { Thread, spawn } from 'threadkit/thread';
import { watchdog } from '../thread/helpers.js';
import { RECOVERY_LIMIT_MS, sleep } from '../helpers/workers.js';
import { deathOf, recoveryLog, untilRaised, expectDeath } from '../helpers/dead-threads.js';

type Death = 'terminate' | 'throw' | 'exit';
/** How the dying thread takes each of its read locks. */
type Take = 'sync' | 'async' | 'try';

/**
 * Starts a thread that takes one read lock per item of `takes`, raises `flag`, then dies the way
 * `death` says, holding them all.
 */
function readerThatDies(l: RwLock, flag: Int32Array, death: Death, takes: readonly Take[]): Thread {
  return expectDeath(
    new Thread(
      async (lock: RwLock, f: Int32Array, how: Death, ways: Take[]) => {
        const held = [];
        for (const way of ways) {
          if (way === 'sync') held.push(lock.readLock());
          else if (way === 'async') held.push(await lock.readLockAsync());
          else held.push(lock.tryReadLock(5_000));
        }
        Atomics.store(f, 0, 1);
        Atomics.notify(f, 0);
        if (how === 'exit') process.exit(3);
        if (how === 'throw')
          setTimeout(() => {
            throw new Error('crash in a callback');
          }, 1);
        await new Promise(() => {}); // 'terminate', 'throw': stay here holding the read locks
        return held.length;
      },
      { args: [l, flag, death, [...takes]] },
    ).start(),
  );
}

/** A thread blocked in writeLock(); resolves with 'locked' once it got and released it. */
const blockedWriter = (l: RwLock) =>
  spawn((lock: RwLock) => {
    lock.writeLock().unlock();
    return 'locked';
  }, l);

const recoveries = recoveryLog('RwLock dead-reader recovery (death seen by join() -> both writers done)');

describe('a thread dying while it holds RwLock read locks', () => {
  const cases: { death: Death; takes: Take[]; slow?: boolean }[] = [
    { death: 'terminate', takes: ['sync'] },
    { death: 'throw', takes: ['sync', 'async', 'try'] },
    { death: 'exit', takes: ['async', 'async'] },
    // The reader's first lock waits for the main thread's write lock: recorded by the slow paths.
    { death: 'terminate', takes: ['sync', 'sync'], slow: true },
    { death: 'exit', takes: ['async', 'sync'], slow: true },
  ];
  for (const { death, takes, slow } of cases) {
    it(`${death}, holding ${takes.join('+')}${slow ? ' (taken after waiting)' : ''}: a blocked writer thread and the main thread's writeLockAsync() both get the lock within 100 ms`, async () => {
      const l = new RwLock();
      const flag = new Int32Array(new SharedArrayBuffer(4));
      const first = slow ? l.writeLock() : undefined;
      const reader = readerThatDies(l, flag, death, takes);
      if (first) {
        await sleep(30); // let the reader park behind the write lock
        first.unlock();
      }
      await untilRaised(flag);
      expect(l.readers).toBe(takes.length);
      const waiter = blockedWriter(l);
      try {
        await sleep(30); // let the writer park
        const main = l.writeLockAsync().then((g) => (g.unlock(), 'locked'));
        if (death === 'terminate') await reader.terminate();
        const died = await deathOf(reader);
        const outcomes = await watchdog(Promise.all([main, waiter.join()]), 5_000);
        const recovered = performance.now() - died;
        recoveries.push(recovered);
        expect(outcomes).toEqual(['locked', 'locked']); // no OwnerDiedError for a dead reader
        expect(recovered).toBeLessThan(RECOVERY_LIMIT_MS);
        expect(l.readers).toBe(0);
        expect(l.isWriteLocked).toBe(false);
        l.readLock().unlock(); // back to normal
        l.writeLock().unlock();
      } finally {
        await waiter.terminate().catch(() => {});
        await reader.terminate().catch(() => {});
      }
    });
  }

  it('several readers dying at once give back all their read locks', async () => {
    const l = new RwLock();
    const flags = new Int32Array(new SharedArrayBuffer(12));
    const readers = [0, 1, 2].map((i) =>
      readerThatDies(
        l,
        flags.subarray(i, i + 1),
        i === 0 ? 'terminate' : 'exit',
        i === 1 ? ['sync', 'async'] : ['sync'],
      ),
    );
    try {
      for (let i = 0; i < 3; i++) await untilRaised(flags, i);
      // Not necessarily 4 here: the exiting readers die right after raising their flag, and a reader
      // that claims its holder entry after another one died recycles that entry, giving back its read
      // locks (by design). What matters is that all of them end up given back, below.
      expect(l.readers).toBeGreaterThanOrEqual(1); // the terminated reader's lock, at least
      const main = l.writeLockAsync().then((g) => (g.unlock(), 'locked'));
      await readers[0]!.terminate();
      const died = Math.max(...(await Promise.all(readers.map(deathOf))));
      expect(await watchdog(main, 5_000)).toBe('locked');
      const recovered = performance.now() - died;
      recoveries.push(recovered);
      expect(recovered).toBeLessThan(RECOVERY_LIMIT_MS);
      expect(l.readers).toBe(0);
    } finally {
      await Promise.all(readers.map((r) => r.terminate().catch(() => {})));
    }
  });

  it("a live reader's lock is not given back with a dead reader's: the writer still waits for it", async () => {
    const l = new RwLock();
    const flags = new Int32Array(new SharedArrayBuffer(12)); // [0] dead reader locked, [1] live reader locked, [2] release
    const live = spawn(
      (lock: RwLock, f: Int32Array) => {
        const g = lock.readLock();
        Atomics.store(f, 1, 1);
        Atomics.wait(f, 2, 0, 10_000);
        g.unlock();
        return 'released';
      },
      l,
      flags,
    );
    const dead = readerThatDies(l, flags, 'exit', ['sync', 'sync']);
    try {
      await untilRaised(flags, 1);
      await untilRaised(flags, 0);
      const main = l.writeLockAsync().then((g) => (g.unlock(), performance.now()));
      const died = await deathOf(dead);
      // The waiting writer gives back the dead reader's two read locks, and only those.
      while (l.readers !== 1) {
        if (performance.now() - died > 5_000) throw new Error(`watchdog: readers stayed ${l.readers}`);
        await sleep(5);
      }
      const recovered = performance.now() - died;
      recoveries.push(recovered);
      expect(recovered).toBeLessThan(RECOVERY_LIMIT_MS);
      await sleep(3 * 25); // several of the writer's periodic checks
      expect(l.readers).toBe(1);
      expect(l.isWriteLocked).toBe(false);
      expect(l.tryWriteLock()).toBeNull();
      const released = performance.now();
      Atomics.store(flags, 2, 1);
      Atomics.notify(flags, 2);
      expect(await watchdog(live.join(), 5_000)).toBe('released');
      expect(await watchdog(main, 5_000)).toBeGreaterThanOrEqual(released);
      expect(l.readers).toBe(0);
    } finally {
      Atomics.store(flags, 2, 1);
      Atomics.notify(flags, 2);
      await live.terminate().catch(() => {});
      await dead.terminate().catch(() => {});
    }
  });

  it('a main thread blocked in tryWriteLock(timeout) sees a reader that called process.exit()', async () => {
    const l = new RwLock();
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const reader = readerThatDies(l, flag, 'exit', ['sync']);
    await untilRaised(flag);
    const start = performance.now();
    // Blocks the main thread: only the dying worker's own mark can end this.
    const g = l.tryWriteLock(3_000);
    expect(performance.now() - start).toBeLessThan(1_000);
    expect(g).not.toBeNull();
    expect(l.isWriteLocked).toBe(true);
    g!.unlock();
    await deathOf(reader);
  });

  it('tryWriteLock() with no timeout gives back the read locks of a dead reader', async () => {
    const l = new RwLock();
    const reader = readerThatDies(l, new Int32Array(new SharedArrayBuffer(4)), 'exit', ['sync', 'try']);
    await deathOf(reader);
    expect(l.readers).toBe(2);
    const g = l.tryWriteLock(); // no OwnerDiedError: a reader leaves nothing half-written
    expect(g).not.toBeNull();
    expect(l.readers).toBe(0);
    g!.unlock();
  });

  it('a reader that released everything before dying gives nothing back: a live reader still counts', async () => {
    const l = new RwLock();
    await deathOf(
      spawn((lock: RwLock) => {
        for (let i = 0; i < 3; i++) lock.readLock().unlock();
        process.exit(0);
      }, l),
    );
    expect(l.readers).toBe(0);
    const mine = l.readLock();
    // Waits through several checks and gives back nothing. (Async: this thread's own read lock makes a
    // blocking or try write lock a DeadlockError; another async task of it could release it.)
    await expect(l.writeLockAsync({ timeoutMs: 3 * 25 })).rejects.toThrow(TimeoutError);
    expect(l.readers).toBe(1);
    mine.unlock();
    l.writeLock().unlock();
  });
});
