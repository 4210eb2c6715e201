// Fuzzed inputs for every public entry point of Semaphore, Event, Condition, Barrier, RwLock, Once and
// CountDownLatch: each call succeeds or throws a TypeError/RangeError naming the parameter, and the
// primitive still works normally afterwards.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  Barrier,
  Condition,
  CountDownLatch,
  Event,
  Mutex,
  Once,
  RwLock,
  Semaphore,
  TimeoutError,
  setDiagnostics,
} from '../src/index.js';
import { expectArgCheck, expectArgCheckAsync, nastyOptions, nastyValue } from './helpers/fuzz.js';

const runs = { numRuns: 150, timeout: 2000 };

/** A valid timeout capped at 1 ms (none, or a fuzzed 1e9, would block the test); invalid ones stay. */
const cap = (t: unknown): never =>
  (t === undefined ? 0 : typeof t === 'number' && t >= 0 ? Math.min(t, 1) : t) as never;

/** Options with a valid timeout capped, and a 1 ms timeout added to a plain bag that has none. */
function capOpts(o: unknown): never {
  if (o === null || typeof o !== 'object') return o as never;
  const proto: unknown = Object.getPrototypeOf(o);
  if (proto !== Object.prototype && proto !== null) return o as never;
  const t = (o as { timeoutMs?: unknown }).timeoutMs;
  return { ...o, timeoutMs: t === undefined ? 1 : cap(t) } as never;
}
const placement = ['options', 'buffer', 'byteOffset'];
const waitOpts = nastyOptions(['signal', 'timeoutMs']);
const waitParams = ['options', 'signal', 'timeoutMs'];

/**
 * A fuzzed constructor call and `from(handle)`, then `works` on each instance that was built. The
 * options bag holds `buffer`, `byteOffset` and the primitive's own `options` fields: only keys the
 * primitive knows, as any other is refused before the values are looked at.
 */
function constructs<T>(
  name: string,
  make: (a: unknown, options: unknown) => T,
  from: (h: unknown) => T,
  params: readonly string[],
  works: (x: T) => void,
  options: readonly string[] = [],
): void {
  it(`${name}: constructor and from()`, () => {
    fc.assert(
      fc.property(
        nastyValue,
        nastyOptions(['buffer', 'byteOffset', ...options]),
        nastyValue,
        (a, options, handle) => {
          const x = expectArgCheck(() => make(a, options), [...placement, ...params]);
          if (x) works(x);
          const y = expectArgCheck(() => from(handle), ['handle']);
          if (y) works(y);
        },
      ),
      runs,
    );
  });
}

describe('toolbox primitives under fuzzed arguments', () => {
  const semWorks = (s: Semaphore) => {
    const n = s.available;
    if (n > 0 && s.tryAcquire(1)) s.release(1);
    expect(s.available).toBe(n);
  };
  constructs(
    'Semaphore',
    (a, o) => new Semaphore(a as never, o as never),
    (h) => Semaphore.from(h),
    ['permits', 'max', 'robust'],
    semWorks,
    ['max', 'robust'],
  );

  it('Semaphore: a `robust` that is not a boolean is a TypeError naming it', () => {
    fc.assert(
      fc.property(
        nastyValue.filter((v) => v !== undefined && typeof v !== 'boolean'),
        (robust) => {
          expect(() => new Semaphore(1, { robust } as never)).toThrow(TypeError);
          expect(() => new Semaphore(1, { robust } as never)).toThrow(/`robust`/);
        },
      ),
      runs,
    );
  });

  it('Semaphore: acquire/tryAcquire/release/acquireAsync', async () => {
    const s = new Semaphore(2, { max: 2 });
    await fc.assert(
      fc.asyncProperty(nastyValue, nastyValue, waitOpts, async (n, t, options) => {
        if (expectArgCheck(() => s.tryAcquire(n as never, cap(t)), ['n', 'timeoutMs'])) s.release(n as never);
        // At the bound: a valid n overflows (SemaphoreOverflowError, a misuse error); a bad n is an arg error.
        expectArgCheck(() => {
          try {
            s.release(n as never);
          } catch (err) {
            if ((err as Error).name !== 'SemaphoreOverflowError') throw err;
          }
        }, ['n']);
        await expectArgCheckAsync(() => s.acquireAsync(n as never, capOpts(options)), ['n', ...waitParams])
          .then((ok) => ok !== undefined || s.available < 2 || true)
          .catch(() => {});
        while (s.available < 2) s.release(1);
        semWorks(s);
      }),
      runs,
    );
  });

  const eventWorks = (e: Event) => {
    e.set();
    expect(e.wait(0)).toBe(true);
    e.clear();
    expect(e.wait(0)).toBe(false);
  };
  constructs(
    'Event',
    (_a, o) => new Event(o as never),
    (h) => Event.from(h),
    [],
    eventWorks,
  );

  it('Event: wait/waitAsync', async () => {
    const e = new Event();
    await fc.assert(
      fc.asyncProperty(nastyValue, waitOpts, async (t, options) => {
        expectArgCheck(() => e.wait(cap(t)), ['timeoutMs']);
        e.set();
        await expectArgCheckAsync(() => e.waitAsync(capOpts(options)), waitParams).catch(() => {});
        e.clear();
        eventWorks(e);
      }),
      runs,
    );
  });

  const latchWorks = (l: CountDownLatch) => {
    if (l.count > 10) return; // a valid huge count: counting down would take minutes
    while (l.count > 0) l.countDown();
    expect(l.wait(0)).toBe(true);
  };
  constructs(
    'CountDownLatch',
    (a, o) => new CountDownLatch(a as never, o as never),
    (h) => CountDownLatch.from(h),
    ['count'],
    latchWorks,
  );

  const rwWorks = (rw: RwLock) => {
    rw.readLock().unlock();
    rw.writeLock().unlock();
    expect(rw.isWriteLocked).toBe(false);
  };
  constructs(
    'RwLock',
    (_a, o) => new RwLock(o as never),
    (h) => RwLock.from(h),
    [],
    rwWorks,
  );

  it('RwLock: tryReadLock/tryWriteLock/…Async', async () => {
    const rw = new RwLock();
    await fc.assert(
      fc.asyncProperty(nastyValue, waitOpts, async (t, options) => {
        expectArgCheck(() => rw.tryReadLock(cap(t)), ['timeoutMs'])?.unlock();
        expectArgCheck(() => rw.tryWriteLock(cap(t)), ['timeoutMs'])?.unlock();
        (
          await expectArgCheckAsync(() => rw.readLockAsync(capOpts(options)), waitParams).catch(
            () => undefined,
          )
        )?.unlock();
        (
          await expectArgCheckAsync(() => rw.writeLockAsync(capOpts(options)), waitParams).catch(
            () => undefined,
          )
        )?.unlock();
        rwWorks(rw);
      }),
      runs,
    );
  });

  it('setDiagnostics: fuzzed options, then RwLock and Semaphore waits past them still work', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const rw = new RwLock();
      const sem = new Semaphore(0, { robust: true });
      await fc.assert(
        fc.asyncProperty(nastyOptions(['slowLockMs', 'onSlowLock', 'lockOrder']), async (options) => {
          expectArgCheck(
            () => setDiagnostics(options as never),
            ['options', 'slowLockMs', 'onSlowLock', 'lockOrder'],
          );
          // Contended 1 ms waits: a threshold under 1 ms reports (maybe through a fuzzed callback).
          const g = rw.readLock();
          // Async: this thread's own read lock makes a blocking or try write lock a DeadlockError.
          await expect(rw.writeLockAsync({ timeoutMs: 1 })).rejects.toThrow(TimeoutError);
          g.unlock();
          expect(sem.tryAcquire(1, 1)).toBe(false);
          await expect(sem.acquireAsync(1, { timeoutMs: 1 })).rejects.toThrow(TimeoutError);
          setDiagnostics({});
          rwWorks(rw);
          expect(sem.available).toBe(0);
        }),
        runs,
      );
    } finally {
      setDiagnostics({});
      warn.mockRestore();
    }
  });

  constructs(
    'Barrier',
    (a, o) => new Barrier(a as never, o as never),
    (h) => Barrier.from(h),
    ['parties'],
    (b) => {
      if (b.parties === 1) expect(b.wait(0)).not.toBeNull();
    },
  );

  constructs(
    'Once',
    (_a, o) => new Once(o as never),
    (h) => Once.from(h),
    [],
    (o) => {
      o.run(() => {});
      expect(o.isDone).toBe(true);
    },
  );

  it('Once: run(fn) with non-functions', () => {
    fc.assert(
      fc.property(nastyValue, (fn) => {
        const once = new Once();
        fc.pre(typeof fn !== 'function');
        expectArgCheck(() => once.run(fn as never), ['fn']);
        expect(once.run(() => {})).toBe(true);
      }),
      runs,
    );
  });

  it('Condition: constructor, wait and notify arguments', () => {
    const m = new Mutex();
    fc.assert(
      fc.property(nastyValue, nastyValue, nastyValue, (mutex, t, n) => {
        const c = expectArgCheck(() => new Condition(mutex as never), ['mutex']);
        const cond = c ?? new Condition(m);
        expectArgCheck(() => cond.notify(n as never), ['n']);
        const g = m.lock();
        expectArgCheck(() => cond.wait(t as never, 0), ['guard', 'timeoutMs']);
        // Only invalid timeouts: a valid one really waits (checked in the Condition's own tests).
        if (!(typeof t === 'number' && t >= 0) && t !== undefined) {
          expectArgCheck(() => cond.wait(g, t as never), ['timeoutMs']);
        }
        expect(m.isHeldByCurrentThread).toBe(true);
        g.unlock();
        m.lock().unlock();
      }),
      runs,
    );
  });
});

describe('found by fuzzing', () => {
  it('a primitive placed over another one (or other nonzero data) is refused, not left hanging', () => {
    const buffer = new SharedArrayBuffer(32 + 4096); // room at byte 32 for the largest (RwLock)
    const latch = new CountDownLatch(5, { buffer, byteOffset: 0 });
    // Overlaps the latch's COUNT slot: used to open as a write-locked-forever lock.
    expect(() => new RwLock({ buffer, byteOffset: 0 })).toThrow(/`byteOffset`/);
    const words = new Int32Array(buffer);
    words[8] = 7; // foreign data at byte 32
    for (const make of [
      () => new Semaphore(1, { buffer, byteOffset: 32 }),
      () => new Event({ buffer, byteOffset: 32 }),
      () => new Once({ buffer, byteOffset: 32 }),
      () => new Barrier(2, { buffer, byteOffset: 32 }),
      () => new RwLock({ buffer, byteOffset: 32 }),
      () => new Mutex({ buffer, byteOffset: 32 }),
    ]) {
      expect(make).toThrow(TypeError);
    }
    words[8] = 0;
    new RwLock({ buffer, byteOffset: 32 }).writeLock().unlock();
    expect(latch.count).toBe(5);
  });
});
