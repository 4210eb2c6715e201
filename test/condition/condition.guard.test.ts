// The caller's guard across a Condition wait: it stays the guard of the caller's hold (also when other
// tasks of the thread take the mutex meanwhile, and when the mutex's owner dies during the wait), a
// guard of another mutex is refused, and notify(n) wakes n async waiters of one thread, not all of them.
import { describe, expect, it } from 'vitest';
import { Condition, OwnerDiedError } from 'threadkit/condition';
import { Mutex, type MutexGuard } from 'threadkit/mutex';
import { spawn } from 'threadkit/thread';
import { watchdog } from '../thread/helpers.js';

describe('Condition and the caller guard', () => {
  it('the guard passed to wait() still releases the mutex afterwards, and only once', () => {
    const m = new Mutex();
    const c = new Condition(m);
    const g = m.lock();
    expect(c.wait(g, 5)).toBe(false);
    g.unlock();
    expect(m.isLocked).toBe(false);
    expect(() => g.unlock()).toThrow(/already released/);
  });

  it('waitAsync keeps the caller hold even when another task of the thread took the mutex meanwhile', async () => {
    const m = new Mutex();
    const c = new Condition(m);
    const g = await m.lockAsync();
    const waiting = c.waitAsync(g, { timeoutMs: 2_000 });
    // Another task of this thread takes the mutex while the waiter has released it, and notifies.
    const other = await m.lockAsync();
    c.notify();
    other.unlock();
    await waiting;
    expect(m.isHeldByCurrentThread).toBe(true);
    // The stale guard of the other task does not release the waiter's hold...
    other[Symbol.dispose]();
    expect(m.isLocked).toBe(true);
    // ...the waiter's own guard does.
    g.unlock();
    expect(m.isLocked).toBe(false);
  });

  it('refuses a guard of another mutex, releasing nothing', async () => {
    const m = new Mutex();
    const c = new Condition(m);
    const other = new Mutex();
    using _held = m.lock();
    const foreign = other.lock();
    expect(() => c.wait(foreign, 5)).toThrow(TypeError);
    await expect(c.waitAsync(foreign, { timeoutMs: 5 })).rejects.toThrow(TypeError);
    expect(m.isHeldByCurrentThread).toBe(true);
    expect(other.isHeldByCurrentThread).toBe(true);
    foreign.unlock();
  });

  it('notify(1) wakes one of five async waiters of one thread; the others time out', async () => {
    const m = new Mutex();
    const c = new Condition(m);
    let woke = 0;
    let timedOut = 0;
    const waiter = async () => {
      const g = await m.lockAsync();
      try {
        await c.waitAsync(g, { timeoutMs: 300 });
        woke++;
      } catch (err) {
        expect((err as Error).name).toBe('TimeoutError');
        timedOut++;
      } finally {
        g.unlock();
      }
    };
    const all = Promise.all([waiter(), waiter(), waiter(), waiter(), waiter()]);
    await new Promise((r) => setTimeout(r, 50));
    c.notify(1);
    await watchdog(all, 5_000);
    expect([woke, timedOut]).toEqual([1, 4]);
    c.notify(2); // nobody waits: nothing happens
  });

  it.each(['wait', 'waitAsync'] as const)(
    '%s: an owner dying while the caller waits gives OwnerDiedError holding the mutex through the caller guard',
    async (how) => {
      const m = new Mutex();
      const c = new Condition(m);
      const g: MutexGuard = await m.lockAsync();
      // The thread takes the mutex once the caller waits (released it), notifies, and dies holding it.
      const t = spawn(
        (mutex: Mutex, cond: Condition) => {
          mutex.lock();
          cond.notifyAll();
          process.exit(1);
        },
        m,
        c,
      );
      let caught: unknown;
      try {
        if (how === 'wait') c.wait(g, 5_000);
        else await watchdog(c.waitAsync(g, { timeoutMs: 5_000 }), 10_000);
      } catch (err) {
        caught = err;
      }
      await t.join().catch(() => {});
      expect(caught).toBeInstanceOf(OwnerDiedError);
      expect((caught as OwnerDiedError).guard).toBe(g);
      expect(m.isHeldByCurrentThread).toBe(true);
      g[Symbol.dispose]();
      expect(m.isLocked).toBe(false);
    },
  );
});
