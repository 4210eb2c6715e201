// The Mutex contract suite: the same bodies run against every variant (non-reentrant / reentrant, own
// buffer / packed at an offset in a bigger buffer), as async-mutex's `mutexSuite(factory)` and Rust std's
// per-variant tests do. Variant-specific behaviour lives in the test files that call this.
import { afterEach, describe, expect, it } from 'vitest';
import { DeadlockError, Mutex, NotOwnerError, TimeoutError } from '../../src/mutex/index.js';
import { fixture, runWorkers, since, sleep, startAgent, terminateAll, watchdog } from '../helpers/workers.js';
import { asyncResults, thrownBy, unhandledDuring } from '../helpers/async-misuse.js';
import { hammer, type HammerMode } from './hammer.js';

/** Creates a fresh mutex of the variant under test. */
export type MutexFactory = () => Mutex;

export interface SuiteOptions {
  readonly reentrant: boolean;
  /** Workers and iterations per worker for the hammer tests. */
  readonly workers: number;
  readonly iterations: number;
}

export function mutexSuite(name: string, factory: MutexFactory, options: SuiteOptions): void {
  const { workers, iterations } = options;

  describe(`Mutex contract: ${name}`, () => {
    afterEach(terminateAll);

    it('locks and unlocks on one thread; the guard and unlock() release', () => {
      const m = factory();
      expect(m.isLocked).toBe(false);
      const g = m.lock();
      expect(m.isLocked).toBe(true);
      expect(m.isHeldByCurrentThread).toBe(true);
      g.unlock();
      expect(m.isLocked).toBe(false);
      expect(m.isHeldByCurrentThread).toBe(false);
      m.lock();
      m.unlock();
      expect(m.isLocked).toBe(false);
    });

    it('a `using` declaration releases the guard at block exit, also on throw', () => {
      const m = factory();
      {
        using _g = m.lock();
        expect(m.isLocked).toBe(true);
      }
      expect(m.isLocked).toBe(false);
      expect(() => {
        using _g = m.lock();
        throw new Error('boom');
      }).toThrow('boom');
      expect(m.isLocked).toBe(false);
    });

    it('guard misuse: unlock() twice throws NotOwnerError; disposing a released guard is a no-op', () => {
      const m = factory();
      const g = m.lock();
      g.unlock();
      expect(() => g.unlock()).toThrow(NotOwnerError);
      expect(() => g[Symbol.dispose]()).not.toThrow();
      // The no-op dispose must not release somebody else's later acquisition.
      const g2 = m.lock();
      g[Symbol.dispose]();
      expect(m.isHeldByCurrentThread).toBe(true);
      g2.unlock();
    });

    it('unlock of an unlocked mutex throws NotOwnerError (ERR_NOT_OWNER)', () => {
      const m = factory();
      expect(() => m.unlock()).toThrow(
        expect.objectContaining({ name: 'NotOwnerError', code: 'ERR_NOT_OWNER' }),
      );
      m.lock();
      m.unlock();
      expect(() => m.unlock()).toThrow(NotOwnerError);
    });

    it('tryLock(0) and tryLock() return null at once when held, a guard when free', async () => {
      const m = factory();
      expect(m.tryLock(0)?.unlock()).toBeUndefined();
      const agent = startAgent(fixture('mutex-agent.mjs'), { handle: m });
      expect((await agent.call('lock')).error).toBeUndefined();
      // The fastest of 5 tries: a loaded machine can stall any one of them for 20 ms, not all five;
      // a wait inside tryLock (a poll, a spin of some ms) is in every one.
      let fastest = Infinity;
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        expect(m.tryLock(0)).toBeNull();
        expect(m.tryLock()).toBeNull();
        fastest = Math.min(fastest, since(t0));
      }
      expect(fastest).toBeLessThan(20);
      await agent.call('unlock');
      const g = m.tryLock();
      expect(g).not.toBeNull();
      g?.unlock();
    });

    it('tryLock(50) times out with null while a worker holds it, and the mutex stays usable', async () => {
      const m = factory();
      const agent = startAgent(fixture('mutex-agent.mjs'), { handle: m });
      await agent.call('lock');
      const t0 = performance.now();
      expect(m.tryLock(50)).toBeNull();
      const elapsed = since(t0);
      expect(elapsed).toBeGreaterThanOrEqual(45);
      expect(elapsed).toBeLessThan(1000);
      await agent.call('unlock');
      const g = m.tryLock(1000);
      expect(g).not.toBeNull();
      g?.unlock();
      // and a worker's timed tryLock while main holds it
      m.lock();
      const r = (await agent.call('tryLock', { ms: 50 })).value as { acquired: boolean; elapsed: number };
      expect(r.acquired).toBe(false);
      expect(r.elapsed).toBeGreaterThanOrEqual(45);
      m.unlock();
      expect(((await agent.call('tryLock', { ms: 50 })).value as { acquired: boolean }).acquired).toBe(true);
    });

    it('lockAsync({ timeoutMs }) rejects with a TimeoutError, then the mutex still works', async () => {
      const m = factory();
      const agent = startAgent(fixture('mutex-agent.mjs'), { handle: m });
      await agent.call('lock');
      const t0 = performance.now();
      const err: unknown = await m.lockAsync({ timeoutMs: 40 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TimeoutError);
      expect((err as Error).name).toBe('TimeoutError');
      expect(since(t0)).toBeGreaterThanOrEqual(35);
      await agent.call('unlock');
      const g = await m.lockAsync({ timeoutMs: 1000 });
      g.unlock();
    });

    it('lockAsync rejects with the reason of an already-aborted signal, even when free', async () => {
      const m = factory();
      const reason = new Error('no thanks');
      await expect(m.lockAsync({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      expect(m.isLocked).toBe(false);
    });

    it('lockAsync rejects with the reason when aborted while waiting; the next waiter is not stranded', async () => {
      const m = factory();
      const agent = startAgent(fixture('mutex-agent.mjs'), { handle: m });
      await agent.call('lock');
      const ac = new AbortController();
      const aborted = m.lockAsync({ signal: ac.signal });
      const later = m.lockAsync(); // queued behind the one that aborts
      await sleep(20);
      const reason = new Error('changed my mind');
      ac.abort(reason);
      await expect(aborted).rejects.toBe(reason);
      await agent.call('unlock');
      const g = await watchdog(later, 5000, 'waiter queued behind an aborted one');
      g.unlock();
    });

    it('a worker waits for the lock the main thread holds and gets it after unlock', async () => {
      const m = factory();
      m.lock();
      const agent = startAgent(fixture('mutex-agent.mjs'), { handle: m });
      const got = agent.call('lockAsync', {});
      const state = (await agent.call('state')).value as { isLocked: boolean; isHeld: boolean };
      expect(state).toEqual({ isLocked: true, isHeld: false });
      await sleep(30);
      m.unlock();
      expect((await got).value).toBe(true);
    });

    it('unlock from a worker of a mutex the main thread holds throws NotOwnerError and changes nothing', async () => {
      const m = factory();
      const g = m.lock();
      const agent = startAgent(fixture('mutex-agent.mjs'), { handle: m });
      const reply = await agent.call('unlock');
      expect(reply.error).toMatchObject({ name: 'NotOwnerError', code: 'ERR_NOT_OWNER' });
      expect(m.isHeldByCurrentThread).toBe(true);
      g.unlock();
      // and the reverse: main unlocking what a worker holds
      await agent.call('lock');
      expect(m.isLocked).toBe(true);
      expect(m.isHeldByCurrentThread).toBe(false);
      expect(() => m.unlock()).toThrow(expect.objectContaining({ code: 'ERR_NOT_OWNER' }));
      expect((await agent.call('state')).value).toEqual({ isLocked: true, isHeld: true });
      await agent.call('unlock');
      expect(m.isLocked).toBe(false);
    });

    if (options.reentrant) {
      it('reentrant: the owner relocks; it takes as many unlocks to release', async () => {
        const m = factory();
        m.lock();
        const g2 = m.lock();
        const g3 = m.tryLock(10);
        expect(g3).not.toBeNull();
        const agent = startAgent(fixture('mutex-agent.mjs'), { handle: m });
        g3?.unlock();
        g2.unlock();
        expect(m.isHeldByCurrentThread).toBe(true);
        expect(((await agent.call('tryLock', { ms: 0 })).value as { acquired: boolean }).acquired).toBe(
          false,
        );
        m.unlock();
        expect(m.isLocked).toBe(false);
        expect(() => m.unlock()).toThrow(NotOwnerError);
        expect(((await agent.call('tryLock', { ms: 0 })).value as { acquired: boolean }).acquired).toBe(true);
      });
    } else {
      it('non-reentrant: relocking from the owner throws DeadlockError at once (lock, tryLock(ms))', () => {
        const m = factory();
        const g = m.lock();
        const t0 = performance.now();
        expect(() => m.lock()).toThrow(
          expect.objectContaining({ name: 'DeadlockError', code: 'ERR_DEADLOCK' }),
        );
        // The holder may be another async task of this thread, where `reentrant: true` would let
        // both tasks in: the message points to lockAsync() before it suggests reentrancy.
        expect(() => m.lock()).toThrow(/another async task of this thread.*lockAsync\(\)/);
        // Without the check, tryLock waits its 5 s out: 1 s leaves room for a loaded machine.
        expect(() => m.tryLock(5_000)).toThrow(DeadlockError);
        expect(() => m.withLock(() => 1)).toThrow(DeadlockError);
        expect(since(t0)).toBeLessThan(1_000);
        expect(m.isHeldByCurrentThread).toBe(true);
        g.unlock();
        expect(m.isLocked).toBe(false);
      });
    }

    it('withLock / withLockAsync return the result and release on throw and rejection', async () => {
      const m = factory();
      expect(m.withLock(() => 7)).toBe(7);
      expect(() =>
        m.withLock(() => {
          throw new RangeError('x');
        }),
      ).toThrow(RangeError);
      expect(m.isLocked).toBe(false);
      await expect(
        m.withLockAsync(async () => {
          await sleep(1);
          return 'ok';
        }),
      ).resolves.toBe('ok');
      await expect(m.withLockAsync(() => Promise.reject(new Error('nope')))).rejects.toThrow('nope');
      expect(m.isLocked).toBe(false);
    });

    it('withLock(fn) with an async fn throws a TypeError naming withLockAsync, and releases the lock', async () => {
      for (const [what, fn] of asyncResults) {
        const m = factory();
        const unhandled = await unhandledDuring(() => {
          const err = thrownBy(() => m.withLock(fn));
          expect(err, what).toBeInstanceOf(TypeError);
          expect((err as TypeError).message, what).toBe(
            'Expected `fn` to return a value, got a Promise: Mutex.withLock() cannot hold the lock across ' +
              '`await` (it was released when `fn` returned); use withLockAsync() for an async function',
          );
          expect(m.isLocked, what).toBe(false);
          const g = m.tryLock(0);
          expect(g, what).not.toBeNull();
          g?.unlock();
        });
        // Each of them rejects: the TypeError reported it, so it must not also go unhandled.
        expect(unhandled, what).toEqual([]);
      }
    });

    if (options.reentrant) {
      it('reentrant: a nested withLock(async fn) throws and gives back only its own relock', () => {
        const m = factory();
        m.withLock(() => {
          // @ts-expect-error an async fn is a type error too
          expect(() => m.withLock(async () => {})).toThrow(TypeError);
          expect(m.isHeldByCurrentThread).toBe(true);
        });
        expect(m.isLocked).toBe(false);
      });
    }

    it('withLock(fn): a result with a non-function `then` is a value, not a thenable', () => {
      const m = factory();
      for (const value of [
        { then: 42 },
        { then: null },
        { then: 'x' },
        Object.assign(() => 1, { then: {} }),
      ]) {
        expect(m.withLock(() => value)).toBe(value);
        expect(m.isLocked).toBe(false);
      }
      expect(m.withLock(() => null)).toBe(null);
    });

    describe('mutual exclusion across workers (non-atomic increment; total must be exact)', () => {
      const modes: HammerMode[] = ['lock', 'guard', 'async', 'withLock', 'withLockAsync', 'tryLock', 'mixed'];
      if (options.reentrant) modes.push('reentrant');
      for (const mode of modes) {
        it(`${workers} workers × ${iterations}: ${mode}`, async () => {
          const its = mode === 'withLockAsync' || mode === 'mixed' ? Math.ceil(iterations / 4) : iterations;
          await hammer([factory()], { workers, iterations: its, mode });
        });
      }

      it(`sync workers while the main thread locks async`, async () => {
        await hammer([factory()], { workers, iterations, mode: 'lock', mainAsync: 200 });
      });

      it('timeouts and aborts racing unlocks strand nobody (everyone locks afterwards)', async () => {
        const results = await hammer([factory()], {
          workers,
          iterations: Math.ceil(iterations / 4),
          mode: 'chaos',
        });
        // The scenario must actually race: some attempts fail, some succeed.
        expect(results.reduce((s, r) => s + r.failures, 0)).toBeGreaterThan(0);
        expect(results.every((r) => r.acquisitions > 1)).toBe(true);
      });
    });

    it('fairness: every hammering worker makes progress and a blocked waiter gets the lock', async () => {
      const m = factory();
      const stop = new Int32Array(new SharedArrayBuffer(4));
      const counters = new Int32Array(new SharedArrayBuffer(4));
      const inside = new Int32Array(new SharedArrayBuffer(4));
      const sync = new Int32Array(new SharedArrayBuffer(4));
      const n = Math.max(3, workers);
      const run = runWorkers<{ acquisitions: number; violations: number }>(
        fixture('mutex-hammer.mjs'),
        n,
        (index) => ({
          handles: [m],
          counters,
          inside,
          sync,
          workers: n,
          iterations: 0,
          mode: 'lock',
          stop,
          index,
        }),
        {
          timeoutMs: 15_000,
          alongside: async () => {
            while (Atomics.load(sync, 0) < n) await sleep(5);
            await sleep(100);
            // A newcomer must get in while the workers barge in a tight loop.
            const t0 = performance.now();
            const g = await m.lockAsync({ timeoutMs: 5000 });
            const waited = since(t0);
            g.unlock();
            await sleep(100);
            Atomics.store(stop, 0, 1);
            return waited;
          },
        },
      );
      const results = await run;
      expect(Math.min(...results.map((r) => r.acquisitions))).toBeGreaterThan(0);
      expect(results.map((r) => r.violations)).toEqual(results.map(() => 0));
      expect(counters[0]).toBe(results.reduce((s, r) => s + r.acquisitions, 0));
    });
  });
}
