import { describe, expect, it } from 'vitest';
import { Condition, NotOwnerError, TimeoutError } from '../../src/condition/index.js';
import { Mutex } from '../../src/mutex/index.js';
import { Event } from '../../src/event/index.js';
import { sleep, withWatchdog } from '../helpers/toolbox-workers.js';
import { thrownBy, unhandledDuring } from '../helpers/async-misuse.js';

describe('Condition (one thread)', () => {
  it('wait releases the mutex and returns holding it; false on timeout', () => {
    const m = new Mutex();
    const c = new Condition(m);
    const g = m.lock();
    expect(c.wait(g, 10)).toBe(false);
    expect(m.isHeldByCurrentThread).toBe(true);
    expect(c.waitFor(g, () => 0, 10)).toBe(0);
    expect(c.waitFor(g, () => 'yes')).toBe('yes');
    g.unlock();
    expect(m.isLocked).toBe(false);
  });

  it('releases and restores every level of a reentrant mutex', () => {
    const m = new Mutex({ reentrant: true });
    const c = new Condition(m);
    const g1 = m.lock();
    const g2 = m.lock();
    expect(c.wait(g2, 5)).toBe(false);
    g2.unlock();
    g1.unlock();
    expect(m.isLocked).toBe(false);
  });

  it('misuse and bad input throw at once, releasing nothing', async () => {
    const m = new Mutex();
    const c = new Condition(m);
    const g = m.lock();
    g.unlock();
    expect(() => c.wait(g)).toThrow(NotOwnerError);
    expect(() => c.waitFor(g, () => false)).toThrow(NotOwnerError);
    await expect(c.waitAsync(g)).rejects.toBeInstanceOf(NotOwnerError);
    using g2 = m.lock();
    expect(() => c.wait(undefined as never)).toThrow(/`guard`/);
    expect(() => c.wait(g2, -1)).toThrow(/`timeoutMs`/);
    expect(() => c.waitFor(g2, 'x' as never)).toThrow(/`predicate`/);
    expect(() => c.notify(0)).toThrow(/`n`/);
    await expect(c.waitAsync(g2, { timeoutMs: NaN })).rejects.toThrow(RangeError);
    expect(() => new Condition({} as never)).toThrow(/`mutex`/);
    expect(() => Condition.from(structuredClone(new Event()))).toThrow(/holds no Condition/);
    expect(m.isHeldByCurrentThread).toBe(true);
  });

  it('refuses an unknown option key with a TypeError naming it, releasing nothing', async () => {
    const m = new Mutex();
    expect(() => new Condition(m, { buf: new SharedArrayBuffer(Condition.BYTES) } as never)).toThrow(
      'Unknown option `buf` in `options` of new Condition() (known: buffer, byteOffset)',
    );
    const c = new Condition(m, { buffer: new SharedArrayBuffer(Condition.BYTES), byteOffset: 0 });
    using g = m.lock();
    await expect(c.waitAsync(g, { timeout: 50 } as never)).rejects.toThrow(TypeError);
    await expect(c.waitAsync(g, { timeout: 50 } as never)).rejects.toThrow(
      /^Unknown option `timeout` in `options` of Condition\.waitAsync\(\); did you mean `timeoutMs`\?/,
    );
    await expect(c.waitForAsync(g, () => false, { timeout: 50 } as never)).rejects.toThrow(
      /`timeout` in `options` of Condition\.waitForAsync\(\)/,
    );
    expect(m.isHeldByCurrentThread).toBe(true);
    await expect(c.waitAsync(g, { timeoutMs: 5 })).rejects.toBeInstanceOf(TimeoutError);
    expect(m.isHeldByCurrentThread).toBe(true);
  });

  it('revives with its mutex from a structured clone', () => {
    const c = new Condition(new Mutex());
    const c2 = Condition.from(structuredClone(c));
    using _ = c2.mutex.lock();
    expect(c.mutex.isLocked).toBe(true);
    expect(Condition.from(c)).toBe(c);
  });

  it('async: notify wakes a waiter; timeout and abort reject with the mutex held again', async () => {
    const m = new Mutex();
    const c = new Condition(m);
    const g = await m.lockAsync();
    setTimeout(() => c.notify(), 5);
    await c.waitAsync(g, { timeoutMs: 2000 });
    expect(m.isHeldByCurrentThread).toBe(true);
    await expect(c.waitAsync(g, { timeoutMs: 10 })).rejects.toBeInstanceOf(TimeoutError);
    expect(m.isHeldByCurrentThread).toBe(true);
    const reason = new Error('stop');
    const ac = new AbortController();
    setTimeout(() => ac.abort(reason), 5);
    await expect(c.waitAsync(g, { signal: ac.signal })).rejects.toBe(reason);
    expect(m.isHeldByCurrentThread).toBe(true);
    await expect(c.waitForAsync(g, () => false, { timeoutMs: 10 })).rejects.toBeInstanceOf(TimeoutError);
    g.unlock();
  });

  it('passes on a notify absorbed by an aborted waiter (notify(1) still reaches a live one)', async () => {
    const m = new Mutex();
    const c = new Condition(m);
    const ac = new AbortController();
    const waitOnce = async (signal?: AbortSignal) => {
      using g = await m.lockAsync();
      await c.waitAsync(g, { signal });
    };
    const aborted = waitOnce(ac.signal).catch(() => 'aborted');
    await sleep(5);
    const live = waitOnce();
    await sleep(5);
    ac.abort();
    expect(await aborted).toBe('aborted');
    c.notify(1); // FIFO: lands on the aborted waiter's native wait first
    await withWatchdog(live, 2000, 'the live waiter');
  });
});

describe('Condition.waitFor with an async predicate', () => {
  // A Promise is truthy: without the check the wait would end at once, before the condition held.
  it('waitFor throws a TypeError naming `predicate`, without waiting, and the mutex is still held', async () => {
    const m = new Mutex();
    const c = new Condition(m);
    const reasons = await unhandledDuring(() => {
      using g = m.lock();
      // @ts-expect-error an async predicate is a type error too
      const err = thrownBy(() => c.waitFor(g, async () => Promise.reject(new Error('late')), 5_000));
      expect(err).toBeInstanceOf(TypeError);
      expect((err as Error).message).toMatch(
        /Expected `predicate` to return a value, got a Promise: Condition\.waitFor\(\)/,
      );
      expect(m.isHeldByCurrentThread).toBe(true);
    });
    expect(reasons).toEqual([]);
    expect(m.isLocked).toBe(false);
  });

  it('waitForAsync rejects with a TypeError; a `then` that is not a function is a plain value', async () => {
    const m = new Mutex();
    const c = new Condition(m);
    using g = await m.lockAsync();
    // @ts-expect-error an async predicate is a type error too
    await expect(c.waitForAsync(g, () => Promise.resolve(true))).rejects.toThrow(
      /Expected `predicate` to return a value, got a Promise: Condition\.waitForAsync\(\)/,
    );
    expect(m.isHeldByCurrentThread).toBe(true);
    const notThenable = { then: 1 };
    expect(await c.waitForAsync(g, () => notThenable)).toBe(notThenable);
    expect(c.waitFor(g, () => notThenable)).toBe(notThenable);
  });
});
