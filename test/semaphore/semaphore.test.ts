import { describe, expect, it } from 'vitest';
import { Semaphore, SemaphoreOverflowError, TimeoutError } from '../../src/semaphore/index.js';
import { Mutex } from '../../src/mutex/index.js';
import { sleep } from '../helpers/toolbox-workers.js';

describe('Semaphore (one thread)', () => {
  it('counts permits through acquire, tryAcquire and release', () => {
    const s = new Semaphore(3);
    s.acquire();
    s.acquire(2);
    expect(s.available).toBe(0);
    expect(s.tryAcquire()).toBe(false);
    expect(s.tryAcquire(1, 10)).toBe(false);
    s.release(3);
    expect(s.tryAcquire(3)).toBe(true);
    expect(s.tryAcquire(1, 0)).toBe(false);
    expect(new Semaphore().available).toBe(1);
    expect(new Semaphore(0).available).toBe(0);
  });

  it('times out a blocking tryAcquire without taking anything', () => {
    const s = new Semaphore(1);
    const t0 = performance.now();
    expect(s.tryAcquire(2, 30)).toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    expect(s.available).toBe(1);
  });

  it('bounded: over-release throws SemaphoreOverflowError and changes nothing', () => {
    const s = new Semaphore(1, { max: 2 });
    expect(s.max).toBe(2);
    s.release();
    const err = (() => {
      try {
        s.release();
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SemaphoreOverflowError);
    expect(err).toHaveProperty('code', 'ERR_SEMAPHORE_OVERFLOW');
    expect(s.available).toBe(2);
    expect(new Semaphore(1).max).toBeUndefined();
    expect(() => new Semaphore(0x7fffffff).release()).toThrow(SemaphoreOverflowError);
  });

  it('rejects requests that can never be met and bad input, naming the parameter', () => {
    const s = new Semaphore(1, { max: 2 });
    expect(() => s.acquire(3)).toThrow(/`n`/);
    expect(() => s.acquire(0)).toThrow(RangeError);
    expect(() => s.acquire(1.5)).toThrow(RangeError);
    expect(() => s.tryAcquire('1' as never)).toThrow(TypeError);
    expect(() => s.tryAcquire(1, -1)).toThrow(/`timeoutMs`/);
    expect(() => s.tryAcquire(1, NaN)).toThrow(RangeError);
    expect(() => s.release(-1)).toThrow(/`n`/);
    expect(() => new Semaphore(-1)).toThrow(/`permits`/);
    expect(() => new Semaphore(3, { max: 2 })).toThrow(/`max`/);
    expect(() => new Semaphore(1, null as never)).toThrow(/`options`/);
    expect(() => new Semaphore(1, { buffer: new ArrayBuffer(16) as never })).toThrow(/`buffer`/);
    expect(() => new Semaphore(1, { buffer: new SharedArrayBuffer(16), byteOffset: 2 })).toThrow(
      /`byteOffset`/,
    );
    expect(() => new Semaphore(1, { buffer: new SharedArrayBuffer(16), byteOffset: 4 })).toThrow(RangeError);
    return Promise.all([
      expect(s.acquireAsync(1, { signal: {} as never })).rejects.toThrow(/`signal`/),
      expect(s.acquireAsync(1, { timeoutMs: -5 })).rejects.toThrow(RangeError),
    ]);
  });

  it('refuses an unknown option key with a TypeError naming it', async () => {
    expect(() => new Semaphore(1, { maximum: 2 } as never)).toThrow(TypeError);
    expect(() => new Semaphore(1, { maximum: 2 } as never)).toThrow(
      'Unknown option `maximum` in `options` of new Semaphore() (known: buffer, byteOffset, max, robust)',
    );
    expect(() => new Semaphore(1, { Robust: true } as never)).toThrow(/did you mean `robust`\?/);
    const s = new Semaphore(0, {
      max: 2,
      robust: false,
      buffer: new SharedArrayBuffer(Semaphore.BYTES),
      byteOffset: 0,
    });
    await expect(s.acquireAsync(1, { timeout: 50 } as never)).rejects.toThrow(TypeError);
    await expect(s.acquireAsync(1, { timeout: 50 } as never)).rejects.toThrow(
      /^Unknown option `timeout` in `options` of Semaphore\.acquireAsync\(\); did you mean `timeoutMs`\?/,
    );
    await expect(
      s.acquireAsync(1, { timeoutMs: 10, signal: new AbortController().signal }),
    ).rejects.toBeInstanceOf(TimeoutError);
    expect(s.available).toBe(0);
  });

  it('revives from a structured clone and shares a buffer with other primitives', () => {
    // Room after the mutex for a Semaphore-sized read, so that from() finds no tag rather than no space.
    const buffer = new SharedArrayBuffer(Semaphore.BYTES * 3);
    const a = new Semaphore(2, { buffer });
    const b = new Semaphore(5, { buffer, byteOffset: Semaphore.BYTES, max: 5 });
    const m = new Mutex({ buffer, byteOffset: Semaphore.BYTES * 2 });
    const a2 = Semaphore.from(structuredClone(a));
    const b2 = Semaphore.from(structuredClone(b));
    a2.acquire();
    expect(a.available).toBe(1);
    expect(b2.max).toBe(5);
    expect(Semaphore.from(a)).toBe(a);
    // Opening existing memory keeps its state; a conflicting bound or another primitive is refused.
    expect(new Semaphore(9, { buffer }).available).toBe(1);
    expect(() => new Semaphore(1, { buffer, byteOffset: Semaphore.BYTES, max: 7 })).toThrow(/`max`/);
    expect(() => Semaphore.from(structuredClone(m))).toThrow(/holds no Semaphore/);
    expect(() => new Semaphore(1, { buffer, byteOffset: Semaphore.BYTES * 2 })).toThrow(/`byteOffset`/);
    expect(() => Semaphore.from({ buffer: 1 })).toThrow(/`handle`/);
    expect(() => Semaphore.from(null)).toThrow(TypeError);
  });

  it('async: waits for a release, times out with TimeoutError, aborts with the reason', async () => {
    const s = new Semaphore(0);
    const waiting = s.acquireAsync(2);
    await sleep(5);
    s.release();
    await sleep(5);
    s.release();
    await waiting;
    expect(s.available).toBe(0);

    await expect(s.acquireAsync(1, { timeoutMs: 20 })).rejects.toBeInstanceOf(TimeoutError);
    const reason = new Error('stop');
    const ac = new AbortController();
    const aborted = s.acquireAsync(1, { signal: ac.signal });
    setTimeout(() => ac.abort(reason), 5);
    await expect(aborted).rejects.toBe(reason);
    await expect(s.acquireAsync(1, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    // Nothing was taken by the failed waits, and a later waiter is not stranded by them.
    const later = s.acquireAsync(1, { timeoutMs: 1000 });
    s.release();
    await later;
    expect(s.available).toBe(0);
  });

  it('async: a signal racing a timeout settles once, with whichever came first', async () => {
    const s = new Semaphore(0);
    for (let i = 0; i < 20; i++) {
      const ac = new AbortController();
      const p = s.acquireAsync(1, { signal: ac.signal, timeoutMs: 3 });
      setTimeout(() => ac.abort(new Error('abort')), 3);
      const err: unknown = await p.catch((e: unknown) => e);
      expect(err instanceof TimeoutError || (err as Error).message === 'abort').toBe(true);
    }
    expect(s.available).toBe(0);
  });
});
