// Opt-in deadlock diagnostics: slow-lock reports name the holder; lock-order inversions throw.
import { afterEach, describe, expect, it } from 'vitest';
import { LockOrderError, Mutex, setDiagnostics, type SlowLockReport } from 'threadkit/mutex';
import { spawn } from 'threadkit/thread';

afterEach(() => setDiagnostics({}));

/**
 * A thread that holds `m` until `afterMs` after `release()` (or 3 s pass: the watchdog for a wait that
 * blocks the main thread); resolves once it holds it. The tests release it from `onSlowLock`, so that
 * the wait lasts past the report however late a loaded machine runs it (a hold of fixed length could
 * end first), and on for `afterMs`, long enough to see a second report if one came.
 */
async function holdUntilReleased(m: Mutex, afterMs = 0) {
  const flag = new Int32Array(new SharedArrayBuffer(12)); // [holds, released, (a nap)]
  const t = spawn(
    (mutex: Mutex, f: Int32Array, after: number) => {
      mutex.lock();
      Atomics.store(f, 0, 1);
      Atomics.wait(f, 1, 0, 3_000);
      Atomics.wait(f, 2, 0, after);
      mutex.unlock();
    },
    m,
    flag,
    afterMs,
  );
  while (Atomics.load(flag, 0) === 0) await new Promise((r) => setTimeout(r, 2));
  const release = () => {
    Atomics.store(flag, 1, 1);
    Atomics.notify(flag, 1);
  };
  return Object.assign(t, { release });
}

describe('slow-lock reports', () => {
  it('an async wait past slowLockMs reports the holder once, then still gets the lock', async () => {
    const reports: SlowLockReport[] = [];
    const m = new Mutex();
    const holder = await holdUntilReleased(m, 150);
    setDiagnostics({ slowLockMs: 40, onSlowLock: (r) => (reports.push(r), holder.release()) });
    const g = await m.lockAsync();
    g.unlock();
    await holder.join();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      kind: 'Mutex',
      ownerThreadId: holder.threadId,
      holders: [{ threadId: holder.threadId, count: 1 }],
      waitedMs: 40,
    });
    expect(reports[0]!.mode).toBeUndefined();
    expect(reports[0]!.message).toMatch(new RegExp(`thread ${holder.threadId} holds it`));
  });

  it('a blocking wait reports too', async () => {
    const reports: SlowLockReport[] = [];
    const m = new Mutex();
    const holder = await holdUntilReleased(m, 120);
    setDiagnostics({ slowLockMs: 30, onSlowLock: (r) => (reports.push(r), holder.release()) });
    expect(m.tryLock(5_000)).not.toBeNull();
    m.unlock();
    await holder.join();
    expect(reports.map((r) => r.ownerThreadId)).toEqual([holder.threadId]);
  });

  it('an onSlowLock that throws makes the wait throw it without the lock, leaving the mutex usable', async () => {
    setDiagnostics({
      slowLockMs: 30,
      onSlowLock: () => {
        throw new Error('boom');
      },
    });
    const m = new Mutex();
    const holder = await holdUntilReleased(m);
    expect(() => m.tryLock(5_000)).toThrow('boom');
    await expect(m.lockAsync()).rejects.toThrow('boom');
    expect(m.isHeldByCurrentThread).toBe(false);
    holder.release();
    await holder.join();
    expect(m.isLocked).toBe(false);
    m.lock().unlock();
  });

  it('is off by default, and bad options name the parameter', () => {
    expect(() => setDiagnostics({ slowLockMs: -1 })).toThrow(/`slowLockMs`/);
    expect(() => setDiagnostics({ onSlowLock: 3 as never })).toThrow(/`onSlowLock`/);
    expect(() => setDiagnostics({ lockOrder: 'yes' as never })).toThrow(/`lockOrder`/);
  });

  it('refuses an unknown option key with a TypeError naming it, changing no setting', async () => {
    expect(() => setDiagnostics({ slowLockMs: 0, slowLock: 0 } as never)).toThrow(TypeError);
    expect(() => setDiagnostics({ slowLock: 0 } as never)).toThrow(
      'Unknown option `slowLock` in `options` of setDiagnostics(); did you mean `slowLockMs`? (known: lockOrder, onSlowLock, slowLockMs)',
    );
    const reports: SlowLockReport[] = [];
    expect(() =>
      setDiagnostics({
        slowLockMs: 0,
        onSlowLock: (r: SlowLockReport) => reports.push(r),
        lockorder: true,
      } as never),
    ).toThrow(/`lockorder`.*did you mean `lockOrder`/);
    // Nothing was applied: a wait is not reported.
    const m = new Mutex();
    using _held = m.lock();
    await expect(m.lockAsync({ timeoutMs: 20 })).rejects.toThrow(/timed out/);
    expect(reports).toEqual([]);
  });
});

describe('lock-order inversion detection', () => {
  it('A then B, later B then A: throws LockOrderError before blocking, holding nothing extra', () => {
    setDiagnostics({ lockOrder: true });
    const [a, b] = [new Mutex(), new Mutex()];
    a.withLock(() => b.withLock(() => {}));
    const gb = b.lock();
    expect(() => a.lock()).toThrow(LockOrderError);
    expect(a.isLocked).toBe(false);
    gb.unlock();
    // The same order as before stays allowed; so is the inverse once diagnostics are reset.
    a.withLock(() => b.withLock(() => {}));
    setDiagnostics({});
    b.withLock(() => a.withLock(() => {}));
  });

  it('names both mutexes by byteOffset, which a caller can match, and their buffer by one number', () => {
    setDiagnostics({ lockOrder: true });
    const shared = new SharedArrayBuffer(2 * Mutex.BYTES);
    const [c, d] = [0, 1].map((i) => new Mutex({ buffer: shared, byteOffset: i * Mutex.BYTES })) as [
      Mutex,
      Mutex,
    ];
    c.withLock(() => d.withLock(() => {}));
    d.withLock(() =>
      expect(() => c.lock()).toThrow(
        new RegExp(
          `acquiring the Mutex at byteOffset 0 of buffer #(\\d+) while holding the Mutex at byteOffset ${Mutex.BYTES} of buffer #\\1,`,
        ),
      ),
    );
  });

  it('forgets locks once released, by any path, so a past hold does not make up an order', () => {
    setDiagnostics({ lockOrder: true });
    const [a, b, c] = [new Mutex(), new Mutex(), new Mutex()];
    a.withLock(() => {}); // released on unlock()'s fast path, which reports nothing
    // a is free again: taking b then a records only b → a...
    b.withLock(() => a.withLock(() => {}));
    // ...so a then b is the inversion, and a then c is new and fine.
    const ga = a.lock();
    expect(() => b.lock()).toThrow(LockOrderError);
    c.withLock(() => {});
    ga.unlock();
    // Released through another Mutex object on the same memory: forgotten as well.
    c.lock();
    Mutex.from(structuredClone(c)).unlock();
    b.withLock(() => c.withLock(() => {}));
    const gc = c.lock();
    expect(() => b.lock()).toThrow(LockOrderError);
    gc.unlock();
  });

  it('a lock taken with tryLock() counts as held: what is locked under it makes up an order', () => {
    setDiagnostics({ lockOrder: true });
    const [a, b] = [new Mutex(), new Mutex()];
    for (const attempt of [() => a.tryLock(), () => a.tryLock(0), () => a.tryLock(10)]) {
      const ga = attempt();
      expect(ga).not.toBeNull();
      b.withLock(() => {}); // a → b
      ga!.unlock();
      const gb = b.lock();
      expect(() => a.lock()).toThrow(LockOrderError);
      gb.unlock();
      setDiagnostics({});
      setDiagnostics({ lockOrder: true });
    }
  });

  it('reentrant relocks and tryLock(0) are not inversions', async () => {
    setDiagnostics({ lockOrder: true });
    const [a, b] = [new Mutex({ reentrant: true }), new Mutex()];
    a.withLock(() => b.withLock(() => a.withLock(() => {})));
    b.withLock(() => a.tryLock()?.unlock());
    await expect(b.withLockAsync(() => a.lockAsync())).rejects.toBeInstanceOf(LockOrderError);
  });
});
