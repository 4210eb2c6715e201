// Robust semaphores (issue #8): permits belong to the thread that acquired them, and a thread that dies
// holding some (terminated, crashed, process.exit()) does not hang the next acquirers: the one that gives
// the permits back gets them with an OwnerDiedError within 100 ms of the death. Threads run through the
// built package (`threadkit/semaphore`, `threadkit/thread`), every wait under a watchdog.
import { describe, expect, it } from 'vitest';
import { NotOwnerError, OwnerDiedError, Semaphore } from 'threadkit/semaphore';
import { Thread, spawn } from 'threadkit/thread';
import { watchdog } from '../thread/helpers.js';
import { RECOVERY_LIMIT_MS } from '../helpers/workers.js';
import { deathOf, recoveryLog, untilRaised, expectDeath } from '../helpers/dead-threads.js';

type Death = 'terminate' | 'throw' | 'exit';
type How = 'sync' | 'async';
type Outcome = 'acquired' | 'owner-died';

/** Starts a thread that acquires `n` permits (sync or async), raises `flag`, then dies as `death` says. */
function holderThatDies(s: Semaphore, flag: Int32Array, death: Death, n = 1, how: How = 'sync'): Thread {
  return expectDeath(
    new Thread(
      async (sem: Semaphore, f: Int32Array, d: Death, k: number, h: How) => {
        if (h === 'sync') sem.acquire(k);
        else await sem.acquireAsync(k);
        Atomics.add(f, 0, 1);
        Atomics.notify(f, 0);
        if (d === 'exit') process.exit(3);
        if (d === 'throw')
          setTimeout(() => {
            throw new Error('crash in a callback');
          }, 1);
        await new Promise(() => {}); // 'terminate', 'throw': stay here holding the permits
        return 'unreachable';
      },
      { args: [s, flag, death, n, how] },
    ).start(),
  );
}

/** A thread blocked in acquire(n); resolves with whether it was told a holder died. */
const blockedAcquirer = (s: Semaphore, n: number) =>
  spawn(
    async (sem: Semaphore, k: number) => {
      const { OwnerDiedError: Died } = await import('threadkit/semaphore');
      try {
        sem.acquire(k);
        sem.release(k);
        return 'acquired';
      } catch (err) {
        if (!(err instanceof Died)) throw err;
        err.guard.unlock();
        return 'owner-died';
      }
    },
    s,
    n,
  );

/** The main thread's acquireAsync(n), settled as 'acquired' or 'owner-died' (checking the permits). */
function mainAcquires(s: Semaphore, n: number): Promise<Outcome> {
  return s.acquireAsync(n).then(
    () => (s.release(n), 'acquired'),
    (err: unknown) => {
      if (!(err instanceof OwnerDiedError)) throw err;
      expect(err.code).toBe('ERR_OWNER_DIED');
      expect(s.available).toBeLessThanOrEqual(s.max! - n); // the guard holds them
      err.guard.unlock();
      return 'owner-died';
    },
  );
}

/** Calls `fn`, returning what it threw (undefined if nothing). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

const recoveries = recoveryLog('Semaphore dead-holder recovery (death seen by join() -> all waiters done)');

describe('the robust option', () => {
  it('defaults to false, is stored in the memory, and survives from(), structuredClone and Thread args', async () => {
    expect(new Semaphore(1).robust).toBe(false);
    const s = new Semaphore(2, { robust: true, max: 2 });
    expect(s.robust).toBe(true);
    expect(Semaphore.from(structuredClone(s)).robust).toBe(true);
    expect(new Semaphore(0, { buffer: s.buffer }).robust).toBe(true); // opened without saying
    expect(Semaphore.from(structuredClone(new Semaphore(1))).robust).toBe(false);
    const seen = await watchdog(
      spawn(
        (a: Semaphore, b: Semaphore, c: { buffer: SharedArrayBuffer; byteOffset: number }) => [
          a.robust,
          b.robust,
          c.buffer instanceof SharedArrayBuffer,
        ],
        s,
        new Semaphore(1),
        { buffer: s.buffer, byteOffset: s.byteOffset },
      ).join(),
    );
    expect(seen).toEqual([true, false, true]);
  });

  it('opening existing memory with a different `robust` is a TypeError; a non-boolean too', () => {
    const buffer = new SharedArrayBuffer(Semaphore.BYTES * 2);
    new Semaphore(1, { buffer, robust: true });
    new Semaphore(1, { buffer, byteOffset: Semaphore.BYTES });
    expect(() => new Semaphore(1, { buffer, robust: false })).toThrow(/`robust`.*robust: true/);
    expect(() => new Semaphore(1, { buffer, byteOffset: Semaphore.BYTES, robust: true })).toThrow(TypeError);
    expect(new Semaphore(1, { buffer, robust: true }).robust).toBe(true);
    expect(() => new Semaphore(1, { robust: 1 as never })).toThrow(/Expected `robust` to be a boolean/);
  });
});

describe('permits of a robust semaphore are owned', () => {
  it('release() of more than this thread holds throws NotOwnerError and releases nothing', () => {
    const s = new Semaphore(2, { robust: true });
    expect(thrown(() => s.release())).toBeInstanceOf(NotOwnerError);
    s.acquire();
    const err = thrown(() => s.release(2));
    expect(err).toBeInstanceOf(NotOwnerError);
    expect((err as NotOwnerError).code).toBe('ERR_NOT_OWNER');
    expect((err as Error).message).toMatch(/holds 1 .*released by the thread that acquired them/);
    expect(s.available).toBe(1);
    Semaphore.from(structuredClone(s)).release(); // another instance, same thread: its permits
    expect(s.available).toBe(2);
    // The plain semaphore lets anyone release.
    const plain = new Semaphore(0);
    plain.release(3);
    expect(plain.available).toBe(3);
  });

  it("another thread cannot release this thread's permits", async () => {
    const s = new Semaphore(1, { robust: true });
    s.acquire();
    const name = await watchdog(
      spawn((sem: Semaphore) => {
        try {
          sem.release();
          return 'released';
        } catch (err) {
          return (err as Error).name;
        }
      }, s).join(),
    );
    expect(name).toBe('NotOwnerError');
    expect(s.available).toBe(0);
    s.release();
    expect(s.available).toBe(1);
  });
});

describe('a thread dying while it holds permits of a robust semaphore', () => {
  for (const how of ['sync', 'async'] as const) {
    for (const d of ['terminate', 'throw', 'exit'] as const) {
      it(`${d} (acquired ${how}): a blocked thread and an async main thread both proceed; one gets OwnerDiedError within 100 ms`, async () => {
        const s = new Semaphore(2, { robust: true, max: 2 });
        const flag = new Int32Array(new SharedArrayBuffer(4));
        const holder = holderThatDies(s, flag, d, 2, how);
        await untilRaised(flag);
        expect(s.available).toBe(0);
        const waiter = blockedAcquirer(s, 2);
        try {
          await new Promise((r) => setTimeout(r, 30)); // let the waiter park
          const main = mainAcquires(s, 2);
          if (d === 'terminate') await holder.terminate();
          const died = await deathOf(holder);
          const outcomes = await watchdog(Promise.all([main, waiter.join()]), 5_000);
          const recovered = performance.now() - died;
          recoveries.push(recovered);
          expect([...outcomes].sort()).toEqual(['acquired', 'owner-died']);
          expect(recovered).toBeLessThan(RECOVERY_LIMIT_MS);
          expect(s.available).toBe(2); // the guard gave them back; nothing made up
          s.acquire(2);
          s.release(2);
        } finally {
          await waiter.terminate().catch(() => {});
          await holder.terminate().catch(() => {});
        }
      });
    }
  }

  it('a main thread blocked in tryAcquire() sees a holder that called process.exit()', async () => {
    const s = new Semaphore(1, { robust: true });
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const holder = holderThatDies(s, flag, 'exit');
    await untilRaised(flag);
    const start = performance.now();
    // Blocks the main thread: only the dying worker's own mark can end this.
    const err = thrown(() => s.tryAcquire(1, 3_000));
    expect(performance.now() - start).toBeLessThan(1_000);
    expect(err).toBeInstanceOf(OwnerDiedError);
    expect(s.available).toBe(0);
    const { guard } = err as OwnerDiedError;
    guard.unlock();
    expect(s.available).toBe(1);
    expect(thrown(() => guard.unlock())).toBeInstanceOf(NotOwnerError); // a guard releases once
    expect(s.available).toBe(1);
    await watchdog(holder.join().catch(() => {}));
  });

  it("tryAcquire() with no timeout gives back a dead holder's permits; only that acquirer is told", async () => {
    const s = new Semaphore(1, { robust: true });
    await watchdog(
      holderThatDies(s, new Int32Array(new SharedArrayBuffer(4)), 'exit')
        .join()
        .catch(() => {}),
    );
    expect(s.available).toBe(0);
    const err = thrown(() => s.tryAcquire());
    expect(err).toBeInstanceOf(OwnerDiedError);
    {
      using _ = (err as OwnerDiedError).guard; // released at the end of the block
      expect(s.available).toBe(0);
    }
    expect(s.available).toBe(1);
    expect(s.tryAcquire()).toBe(true); // no second error
    s.release();
  });

  it('several dead holders: one acquirer gets all their permits back', async () => {
    const s = new Semaphore(3, { robust: true, max: 3 });
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const holders = (['exit', 'throw', 'terminate'] as const).map((d, i) =>
      holderThatDies(s, flag, d, 1, i === 1 ? 'async' : 'sync'),
    );
    await untilRaised(flag, 0, 3);
    expect(s.available).toBe(0);
    const main = s.acquireAsync(3).then(
      () => undefined,
      (e: unknown) => e,
    );
    await holders[2]!.terminate();
    const died = Math.max(...(await Promise.all(holders.map(deathOf))));
    const err = await watchdog(main);
    const recovered = performance.now() - died;
    recoveries.push(recovered);
    expect(recovered).toBeLessThan(RECOVERY_LIMIT_MS);
    expect(err).toBeInstanceOf(OwnerDiedError);
    expect(s.available).toBe(0);
    (err as OwnerDiedError).guard.unlock();
    expect(s.available).toBe(3);
  });

  it('a live holder keeps its permits: only the dead one is given back, never more than max', async () => {
    const s = new Semaphore(2, { robust: true, max: 2 });
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const go = new Int32Array(new SharedArrayBuffer(4));
    const live = spawn(
      (sem: Semaphore, f: Int32Array, g: Int32Array) => {
        sem.acquire();
        Atomics.add(f, 0, 1);
        Atomics.notify(f, 0);
        Atomics.wait(g, 0, 0, 5_000);
        sem.release();
        return sem.available;
      },
      s,
      flag,
      go,
    );
    await untilRaised(flag);
    const dead = holderThatDies(s, flag, 'exit');
    await untilRaised(flag, 0, 2);
    await deathOf(dead);
    try {
      expect(s.available).toBe(0);
      const err = thrown(() => s.tryAcquire(1));
      expect(err).toBeInstanceOf(OwnerDiedError);
      expect(s.available).toBe(0);
      (err as OwnerDiedError).guard.unlock();
      expect(s.available).toBe(1);
      expect(s.tryAcquire(2, 60)).toBe(false); // the live holder's permit is not given back
      expect(s.available).toBe(1);
      Atomics.store(go, 0, 1);
      Atomics.notify(go, 0);
      expect(await watchdog(live.join())).toBeLessThanOrEqual(2);
      expect(s.available).toBe(2);
      expect(thrown(() => s.release())).toBeInstanceOf(NotOwnerError);
      expect(s.available).toBe(2);
    } finally {
      Atomics.store(go, 0, 1);
      Atomics.notify(go, 0);
      await live.terminate().catch(() => {});
    }
  });

  it('weighted: a dead holder of 3 of 5 lets acquireAsync(4) through with the error', async () => {
    const s = new Semaphore(5, { robust: true });
    await watchdog(
      holderThatDies(s, new Int32Array(new SharedArrayBuffer(4)), 'exit', 3, 'async')
        .join()
        .catch(() => {}),
    );
    expect(s.available).toBe(2);
    const err = await watchdog(
      s.acquireAsync(4).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    expect(err).toBeInstanceOf(OwnerDiedError);
    expect(s.available).toBe(1);
    (err as OwnerDiedError).guard.unlock();
    expect(s.available).toBe(5);
    s.acquire(5); // all of them, normally
    s.release(5);
  });
});

describe('a plain (not robust) semaphore', () => {
  it("does not give back a dead thread's permits: they were not owned", async () => {
    const s = new Semaphore(1);
    await watchdog(
      spawn((sem: Semaphore) => {
        sem.acquire();
        process.exit(0);
      }, s)
        .join()
        .catch(() => {}),
    );
    expect(s.tryAcquire(1, 100)).toBe(false);
    expect(s.available).toBe(0);
    s.release(); // anyone may release
    expect(s.available).toBe(1);
  });
});
