// Dead writers: a thread that dies holding an RwLock's write lock (terminated, crashed, process.exit())
// must not hang the threads waiting for it. The first acquirer, reader or writer, gets the write lock
// with an OwnerDiedError within 100 ms of the death; the other waiters proceed after it. Threads run
// through the built package (`threadkit/rwlock`, `threadkit/thread`), every wait under a watchdog.
import { describe, expect, it } from 'vitest';
import { OwnerDiedError, RwLock } from 'threadkit/rwlock';
import { Thread, spawn } from 'threadkit/thread';
import { watchdog } from '../thread/helpers.js';
import { RECOVERY_LIMIT_MS } from '../helpers/workers.js';
import { recoveryLog, untilRaised, expectDeath } from '../helpers/dead-threads.js';

type Death = 'terminate' | 'throw' | 'exit';
type Outcome = 'locked' | 'owner-died';

/** Starts a thread that takes the write lock, raises `flag`, then dies the way `death` says. */
function writerThatDies(l: RwLock, flag: Int32Array, death: Death): Thread {
  return expectDeath(
    new Thread(
      async (lock: RwLock, f: Int32Array, how: Death) => {
        lock.writeLock();
        Atomics.store(f, 0, 1);
        Atomics.notify(f, 0);
        if (how === 'exit') process.exit(3);
        if (how === 'throw')
          setTimeout(() => {
            throw new Error('crash in a callback');
          }, 1);
        await new Promise(() => {}); // 'terminate', 'throw': stay here holding the write lock
        return 'unreachable';
      },
      { args: [l, flag, death] },
    ).start(),
  );
}

/** A thread blocked in readLock()/writeLock(); resolves with whether it was told the writer died. */
const blockedWaiter = (l: RwLock, mode: 'read' | 'write') =>
  spawn(
    async (lock: RwLock, m: 'read' | 'write') => {
      const { OwnerDiedError: Died } = await import('threadkit/rwlock');
      try {
        (m === 'read' ? lock.readLock() : lock.writeLock()).unlock();
        return 'locked';
      } catch (err) {
        if (!(err instanceof Died)) throw err;
        if (!lock.isWriteLocked) throw new Error('OwnerDiedError without the write lock held');
        err.guard.unlock();
        return 'owner-died';
      }
    },
    l,
    mode,
  );

/** The main thread's async acquisition, settled as 'locked' or 'owner-died'. */
function mainAcquires(l: RwLock, mode: 'read' | 'write'): Promise<Outcome> {
  const p = mode === 'read' ? l.readLockAsync() : l.writeLockAsync();
  return p.then(
    (g) => (g.unlock(), 'locked'),
    (err: unknown) => {
      if (!(err instanceof OwnerDiedError)) throw err;
      expect(err.code).toBe('ERR_OWNER_DIED');
      expect(l.isWriteLocked).toBe(true); // the guard holds the write lock, whatever was asked for
      err.guard.unlock();
      return 'owner-died';
    },
  );
}

const recoveries = recoveryLog('RwLock dead-writer recovery (death seen by join() -> all waiters done)');

describe("a thread dying while it holds an RwLock's write lock", () => {
  for (const death of ['terminate', 'throw', 'exit'] as const) {
    for (const [threadMode, mainMode] of [
      ['write', 'read'],
      ['read', 'write'],
    ] as const) {
      it(`${death}: a blocked ${threadMode}ing thread and an async ${mainMode}ing main thread both proceed; the first gets OwnerDiedError within 100 ms`, async () => {
        const l = new RwLock();
        const flag = new Int32Array(new SharedArrayBuffer(4));
        const holder = writerThatDies(l, flag, death);
        await untilRaised(flag);
        const waiter = blockedWaiter(l, threadMode);
        try {
          await new Promise((r) => setTimeout(r, 30)); // let the waiter park
          const main = mainAcquires(l, mainMode);
          if (death === 'terminate') await holder.terminate();
          const died = await watchdog(
            holder.join().then(
              () => performance.now(),
              () => performance.now(),
            ),
            5_000,
          );
          const outcomes = await watchdog(Promise.all([main, waiter.join()]), 5_000);
          const recovered = performance.now() - died;
          recoveries.push(recovered);
          expect([...outcomes].sort()).toEqual(['locked', 'owner-died']);
          expect(recovered).toBeLessThan(RECOVERY_LIMIT_MS);
          expect(l.isWriteLocked).toBe(false);
          expect(l.readers).toBe(0);
          l.writeLock().unlock(); // back to normal
          l.readLock().unlock();
        } finally {
          await waiter.terminate().catch(() => {});
          await holder.terminate().catch(() => {});
        }
      });
    }
  }

  it('a main thread blocked in tryReadLock() sees a writer that called process.exit()', async () => {
    const l = new RwLock();
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const holder = writerThatDies(l, flag, 'exit');
    await untilRaised(flag);
    let error: unknown;
    const start = performance.now();
    try {
      l.tryReadLock(3_000); // blocks the main thread: only the dying worker's own mark can end this
    } catch (err) {
      error = err;
    }
    expect(performance.now() - start).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(OwnerDiedError);
    expect(l.isWriteLocked).toBe(true);
    (error as OwnerDiedError).guard.unlock();
    expect(l.isWriteLocked).toBe(false);
    await watchdog(
      holder.join().catch(() => {}),
      5_000,
    );
  });

  for (const mode of ['read', 'write'] as const) {
    it(`try${mode === 'read' ? 'Read' : 'Write'}Lock() with no timeout takes over a dead writer too`, async () => {
      const l = new RwLock();
      await watchdog(
        writerThatDies(l, new Int32Array(new SharedArrayBuffer(4)), 'exit')
          .join()
          .catch(() => {}),
        5_000,
      );
      expect(l.isWriteLocked).toBe(true);
      const attempt = () => (mode === 'read' ? l.tryReadLock() : l.tryWriteLock());
      let error: unknown;
      try {
        attempt();
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(OwnerDiedError);
      expect(() => l.writeLock()).toThrow(/deadlock/); // this thread holds the write lock now
      (error as OwnerDiedError).guard.unlock();
      const again = attempt(); // only the first acquirer is told
      expect(again).not.toBeNull();
      again!.unlock();
    });
  }

  it('a writer that released before dying leaves the lock free (no false OwnerDiedError)', async () => {
    const l = new RwLock();
    await watchdog(
      spawn((lock: RwLock) => {
        lock.writeLock().unlock();
        process.exit(0);
      }, l)
        .join()
        .catch(() => {}),
      5_000,
    );
    expect(l.isWriteLocked).toBe(false);
    l.writeLock().unlock();
  });
});
