// Objects that belong to the thread that made them (a Thread, a ThreadPool, a ThreadLocal, a lock's
// guard) cannot work in another thread. Structured clone used to copy one as plain data (`{}`), which
// the receiver took for the object and failed on later (`t.join is not a function`). Now sending one,
// wherever it sits in args or a result (inside arrays, objects, Maps, instances of the user's
// classes), fails at once with a DataCloneError that names its path and class, says why and what to
// do instead (src/internal/thread-bound.ts).
import { describe, expect, it } from 'vitest';
import { Mutex } from 'threadkit/mutex';
import { RwLock } from 'threadkit/rwlock';
import { Thread, ThreadPool, spawn } from 'threadkit/thread';
import { ThreadLocal } from 'threadkit/threadlocal';
import { watchdog } from './helpers.js';
import { thrown } from '../helpers/thrown.js';

/** A class of the user's: structured clone copies its own properties, so the codec walks them. */
class Job {
  constructor(readonly owner: unknown) {}
}

const SENDABLE = 'to be sendable to another thread, got';

describe('a thread-bound object in the arguments', () => {
  it('a Thread: spawn() and new Thread() throw a DataCloneError naming where, why and what to do', async () => {
    const done = spawn(() => 1);
    await watchdog(done.join());
    const direct = thrown(() => spawn((t: Thread) => typeof t.join, done));
    expect(direct).toBeInstanceOf(DOMException);
    expect(direct.name).toBe('DataCloneError');
    expect(direct.message).toBe(
      `Expected \`args[0]\` ${SENDABLE} a Thread: a Thread belongs to the thread that created it. ` +
        'Join it there and send its result instead, or share an Event or a Queue to signal between the threads.',
    );
    // Inside an instance of the user's class, inside an array inside a plain object.
    const nested = thrown(() => new Thread((_o: unknown) => 1, { args: [{ jobs: [1, new Job(done)] }] }));
    expect(nested.name).toBe('DataCloneError');
    expect(nested.message).toMatch(
      /^Expected `args\[0\]\.jobs\[1\]\.owner` to be sendable .* got a Thread: /,
    );
  });

  it('a guard of a Mutex or an RwLock: says to pass the lock and lock it in the other thread', () => {
    const mutex = new Mutex();
    const rw = new RwLock();
    {
      using guard = mutex.lock();
      const err = thrown(() => spawn((_m: unknown) => 1, new Map([['held', guard]])));
      expect(err.name).toBe('DataCloneError');
      expect(err.message).toBe(
        `Expected \`args[0] (Map entry 0)\` ${SENDABLE} a MutexGuard: a MutexGuard belongs to the thread ` +
          'that locked its Mutex. Pass the Mutex instead, and lock it inside the other thread.',
      );
    }
    for (const lock of [() => rw.readLock(), () => rw.writeLock()]) {
      const guard = lock();
      const err = thrown(() => spawn((_a: number, _g: unknown) => 1, 1, { guard }));
      expect(err.message).toMatch(
        /^Expected `args\[1\]\.guard` to be sendable to another thread, got an RwLockGuard: .*Pass the RwLock instead, and lock it inside the other thread\.$/,
      );
      guard.unlock();
    }
    expect(mutex.isLocked).toBe(false);
    expect(rw.isWriteLocked).toBe(false);
  });

  it('a ThreadLocal, and a ThreadPool', async () => {
    const local = new ThreadLocal<number>();
    expect(thrown(() => spawn((_l: unknown) => 1, [local])).message).toMatch(
      /^Expected `args\[0\]\[0\]` to be sendable to another thread, got a ThreadLocal: .*Send its value \(`\.get\(\)`\) instead/,
    );
    await using pool = new ThreadPool({ size: 1 });
    expect(thrown(() => spawn((_p: unknown) => 1, { pool })).message).toMatch(
      /^Expected `args\[0\]\.pool` to be sendable to another thread, got a ThreadPool: a ThreadPool belongs to the thread that created it\./,
    );
  });

  it('a guard of another build of the package (the codec registry is shared) is refused too', async () => {
    // src/ loaded through vitest is a build of its own beside the built package.
    const { ReleaseGuard } = await import('../../src/internal/release-guard.js');
    const held = new ReleaseGuard(() => {}, 'These permits');
    expect(thrown(() => spawn((_g: unknown) => 1, [held])).message).toMatch(
      /^Expected `args\[0\]\[0\]` to be sendable to another thread, got a HeldLock: /,
    );
  });

  it('ThreadPool.run() and map() reject with it, naming `args[i]` or `items[k]`; other tasks run', async () => {
    await using pool = new ThreadPool({ size: 1 });
    const mutex = new Mutex();
    const guard = mutex.lock();
    const [ok, bad] = await watchdog(
      Promise.allSettled([
        pool.run((x: number) => x, { args: [1] }),
        pool.run((_a: number, _p: unknown) => 1, { args: [1, pool] }),
      ]),
    );
    expect(ok).toEqual({ status: 'fulfilled', value: 1 });
    const reason = (bad as PromiseRejectedResult).reason as Error;
    expect(reason.name).toBe('DataCloneError');
    expect(reason.message).toMatch(
      /^Expected `args\[1\]` to be sendable to another thread, got a ThreadPool: /,
    );

    const mapped = (await watchdog(
      pool.map((x: unknown) => x, [1, 2, { job: new Job(guard) }]).catch((e: unknown) => e),
    )) as Error;
    expect(mapped.name).toBe('DataCloneError');
    expect(mapped.message).toMatch(
      /^Expected `items\[2\]\.job\.owner` to be sendable to another thread, got a MutexGuard: /,
    );
    guard.unlock();
    await expect(watchdog(pool.map((x: number) => x * 2, [1, 2]))).resolves.toEqual([2, 4]);
  });
});

describe('a thread-bound object in a result', () => {
  it('a pool task rejects with a DataCloneError naming where in the returned value; the pool goes on', async () => {
    await using pool = new ThreadPool({ size: 1 });
    const [thread, guard, ok] = await watchdog(
      Promise.allSettled([
        pool.run(async () => {
          const { spawn } = await import('threadkit/thread');
          const t = spawn(() => 1);
          await t.join();
          return { ok: 1, threads: [t] };
        }),
        pool.run(async () => {
          const { Mutex } = await import('threadkit/mutex');
          const m = new Mutex();
          const g = m.lock();
          g.unlock();
          return g;
        }),
        pool.run(() => 'next'),
      ]),
    );
    const reason = (r: PromiseSettledResult<unknown>) => (r as PromiseRejectedResult).reason as Error;
    expect(reason(thread).name).toBe('DataCloneError');
    expect(reason(thread).message).toMatch(
      /^Expected `result\.threads\[0\]` in the returned value to be sendable to another thread, got a Thread: a Thread belongs to the thread that created it\. Join it there/,
    );
    expect(reason(guard).message).toMatch(
      /^Expected the returned value to be sendable to another thread, got a MutexGuard: /,
    );
    expect(ok).toEqual({ status: 'fulfilled', value: 'next' });
  });

  it("a Thread's join() rejects with the same", async () => {
    const err = (await watchdog(
      spawn(async () => {
        const { ThreadLocal } = await import('threadkit/threadlocal');
        return new Map([['local', new ThreadLocal()]]);
      })
        .join()
        .catch((e: unknown) => e),
    )) as Error;
    expect(err.name).toBe('DataCloneError');
    expect(err.message).toMatch(
      /^Expected `result \(Map entry 0\)` in the returned value to be sendable to another thread, got a ThreadLocal: /,
    );
  });

  it('an error the thread throws is not replaced: a guard among its properties is left out', async () => {
    const err = (await watchdog(
      spawn(async () => {
        const { Mutex } = await import('threadkit/mutex');
        const guard = new Mutex().lock();
        guard.unlock();
        throw Object.assign(new RangeError('boom'), { code: 'E_BOOM', guard });
      })
        .join()
        .catch((e: unknown) => e),
    )) as RangeError & { code?: string; guard?: unknown };
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toBe('boom');
    expect(err.code).toBe('E_BOOM');
    // It used to arrive as `{}`, a dead guard.
    expect(err.guard).toBeUndefined();
  });
});
