// Dead owners: a thread that dies holding a Mutex (terminated, crashed, process.exit(), out of memory,
// or simply ending without unlocking) must not hang the next acquirers. The first one gets the lock with
// an OwnerDiedError within 100 ms of the death; blocked waiters (sync, in other threads, and async) wake.
import { describe, expect, it } from 'vitest';
import { Mutex, OwnerDiedError } from 'threadkit/mutex';
import { Thread, ThreadPool, spawn } from 'threadkit/thread';
import { watchdog } from '../thread/helpers.js';
import { RECOVERY_LIMIT_MS } from '../helpers/workers.js';
import { recoveryLog, untilRaised, expectDeath } from '../helpers/dead-threads.js';
import { FAIR, STATE } from '../../src/mutex/raw-mutex.js';

type Death = 'terminate' | 'throw' | 'exit' | 'return' | 'oom';

/** Starts a thread that locks `m`, raises `flag`, then dies the way `death` says. */
function holderThatDies(m: Mutex, flag: Int32Array, death: Death): Thread {
  const resourceLimits =
    death === 'oom' ? { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } : undefined;
  return expectDeath(
    new Thread(
      async (mutex: Mutex, f: Int32Array, how: Death) => {
        mutex.lock();
        Atomics.store(f, 0, 1);
        Atomics.notify(f, 0);
        if (how === 'exit') process.exit(3);
        if (how === 'return') return 'left without unlocking';
        if (how === 'throw')
          setTimeout(() => {
            throw new Error('crash in a callback');
          }, 1);
        if (how === 'oom') {
          const hog: unknown[] = [];
          for (;;) hog.push(new Array(100_000).fill({ x: hog.length }));
        }
        await new Promise(() => {}); // 'terminate', 'throw': stay here holding the lock
        return 'unreachable';
      },
      { args: [m, flag, death], resourceLimits },
    ).start(),
  );
}

/** Acquires in a thread that blocks in lock(); resolves with whether it was told the owner died. */
const blockedWaiter = (m: Mutex) =>
  spawn(async (mutex: Mutex) => {
    const { OwnerDiedError: Died } = await import('threadkit/mutex');
    try {
      mutex.lock().unlock();
      return 'locked';
    } catch (err) {
      if (!(err instanceof Died)) throw err;
      err.guard.unlock();
      return 'owner-died';
    }
  }, m);

const recoveries = recoveryLog('Mutex dead-owner recovery (death seen by join() -> all waiters done)');

describe('a thread dying while it holds a Mutex', () => {
  for (const death of ['terminate', 'throw', 'exit', 'return', 'oom'] as const) {
    it(`${death}: the next acquirer gets the lock and OwnerDiedError within 100 ms; blocked waiters wake`, async () => {
      const m = new Mutex();
      const flag = new Int32Array(new SharedArrayBuffer(4));
      const holder = holderThatDies(m, flag, death);
      await untilRaised(flag);
      const waiter = blockedWaiter(m);
      await new Promise((r) => setTimeout(r, 30)); // let the waiter park
      const mainSees = m.lockAsync().then(
        (g) => (g.unlock(), 'locked'),
        (err: unknown) => {
          if (!(err instanceof OwnerDiedError)) throw err;
          expect(m.isHeldByCurrentThread).toBe(true);
          err.guard.unlock();
          return 'owner-died';
        },
      );
      if (death === 'terminate') await holder.terminate();
      const died = await holder.join().then(
        () => performance.now(),
        () => performance.now(),
      );
      const [main, other] = await watchdog(Promise.all([mainSees, waiter.join()]), 5_000);
      const recovered = performance.now() - died;
      recoveries.push(recovered);
      expect([main, other].sort()).toEqual(['locked', 'owner-died']);
      expect(recovered).toBeLessThan(RECOVERY_LIMIT_MS);
      expect(m.isLocked).toBe(false);
      m.lock().unlock(); // back to normal
    });
  }

  it('a blocked main thread sees a worker that called process.exit() while holding the lock', async () => {
    const m = new Mutex();
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const holder = holderThatDies(m, flag, 'exit');
    await untilRaised(flag);
    let error: unknown;
    try {
      m.tryLock(3_000); // blocks the main thread: only the dying worker's own mark can end this
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(OwnerDiedError);
    expect((error as OwnerDiedError).code).toBe('ERR_OWNER_DIED');
    (error as OwnerDiedError).guard.unlock();
    await holder.join().catch(() => {});
  });

  it('tryLock() with no timeout takes over a dead owner too', async () => {
    const m = new Mutex({ reentrant: true });
    const flag = new Int32Array(new SharedArrayBuffer(4));
    await holderThatDies(m, flag, 'exit')
      .join()
      .catch(() => {});
    expect(m.isLocked).toBe(true);
    expect(() => m.tryLock()).toThrow(OwnerDiedError);
    expect(m.isHeldByCurrentThread).toBe(true);
    m.unlock();
    expect(m.tryLock()).not.toBeNull();
    m.unlock();
  });

  it('withLock() releases and rethrows without running fn', async () => {
    const m = new Mutex();
    await holderThatDies(m, new Int32Array(new SharedArrayBuffer(4)), 'exit')
      .join()
      .catch(() => {});
    let ran = false;
    expect(() => m.withLock(() => (ran = true))).toThrow(OwnerDiedError);
    expect(ran).toBe(false);
    expect(m.isLocked).toBe(false);
  });

  it('a pool worker that exits holding the lock', async () => {
    await using pool = new ThreadPool({ size: 1 });
    const m = new Mutex();
    const task = pool.run(
      (mutex: Mutex) => {
        mutex.lock();
        process.exit(7);
      },
      { args: [m] },
    );
    await expect(task).rejects.toMatchObject({ name: 'ThreadExitError' });
    await expect(watchdog(m.lockAsync(), 2_000)).rejects.toBeInstanceOf(OwnerDiedError);
    expect(m.isHeldByCurrentThread).toBe(true);
    m.unlock();
  });
});

describe('a thread dying while it waits for a Mutex', () => {
  // The dead waiter stays counted in WAITERS. Once it had waited long enough to ask for fair mode, the
  // owner's unlock handed the lock to a waiter; none was asleep to take it, and the handoff was left for
  // a registered waiter that would never come: the unlocked mutex refused tryLock() until some thread
  // blocked in lock() (a loop polling tryLock() spun forever).
  for (const how of ['lock', 'lockAsync'] as const) {
    it(`terminated in ${how}(): the unlocked mutex still takes tryLock() (no handoff left to a dead waiter)`, async () => {
      const m = new Mutex();
      const i32 = new Int32Array(m.buffer);
      const state = m.byteOffset / 4 + STATE;
      const guard = m.lock();
      const waiter = new Thread(
        async (mutex: Mutex, async: boolean) => (async ? await mutex.lockAsync() : mutex.lock(), 'locked'),
        { args: [m, how === 'lockAsync'] },
      ).start();
      // Until the waiter has waited long enough to set FAIR (it re-checks every 25 ms).
      await watchdog(
        (async () => {
          while ((Atomics.load(i32, state) & FAIR) === 0) await new Promise((r) => setTimeout(r, 2));
        })(),
        5_000,
      );
      await waiter.terminate();
      guard.unlock();
      expect(m.isLocked).toBe(false);
      const again = m.tryLock();
      expect(again).not.toBeNull();
      again!.unlock();
    });
  }
});
