// ThreadPool.map: any number of items fed as the pool has room (maxQueue makes it wait, never fail),
// results in order, a lazy iterable read only a window ahead, and the first failure or an abort
// rejecting at once without starting the rest and without unhandled rejections.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PoolClosedError, ThreadPool } from 'threadkit/thread';
import { runFixture, watchdog } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A shared counter the tasks bump when they start: tells which items ran. */
function startCounter() {
  const buffer = new SharedArrayBuffer(4);
  return { buffer, started: () => Atomics.load(new Int32Array(buffer), 0) };
}

let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  await sleep(20); // a rejection is reported unhandled after the microtasks of its turn
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

describe('ThreadPool.map', () => {
  it('the reported case: a failure with more items than size + maxQueue rejects with it; the process lives', async () => {
    const { stdout, code } = await runFixture('map-failure.mjs');
    expect(stdout.trim().split('\n')).toEqual(['Error: task 1 failed', '[2,4,6,8,10,12,14,16]', 'done']);
    expect(code).toBe(0);
  });

  it('takes any number of items past maxQueue, waiting for room, and keeps their order', async () => {
    for (const maxQueue of [0, 1, 3]) {
      await using pool = new ThreadPool({ size: 2, maxQueue });
      const items = Array.from({ length: 300 }, (_, i) => i);
      const slow = pool.run(() => new Promise((r) => setTimeout(() => r('slow'), 30)));
      expect(await watchdog(pool.map((n: number) => n * 3, items))).toEqual(items.map((n) => n * 3));
      expect(await watchdog(slow)).toBe('slow');
    }
  });

  it('reads a lazy iterable only a window ahead of the finished work', async () => {
    await using pool = new ThreadPool({ size: 1 });
    const { buffer, started } = startCounter();
    let taken = 0;
    let ahead = 0;
    function* items() {
      for (let i = 0; i < 2000; i++) {
        ahead = Math.max(ahead, taken - started());
        taken++;
        yield [buffer, i] as const;
      }
    }
    const results = await watchdog(
      pool.map(([buf, i]: readonly [SharedArrayBuffer, number]) => {
        Atomics.add(new Int32Array(buf), 0, 1);
        return i;
      }, items()),
    );
    expect(results).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(ahead).toBeGreaterThan(0);
    expect(ahead).toBeLessThanOrEqual(512); // 256 per worker; was all 2000 before the first ran
  });

  it('on the first failure: rejects with it, starts nothing more, leaves no unhandled rejection', async () => {
    await using pool = new ThreadPool({ size: 1 });
    const { buffer, started } = startCounter();
    const items = Array.from({ length: 1000 }, (_, i) => [buffer, i] as const);
    const outcome = await watchdog(
      pool
        .map(([buf, i]: readonly [SharedArrayBuffer, number]) => {
          Atomics.add(new Int32Array(buf), 0, 1);
          if (i < 5) throw new RangeError(`item ${i} failed`);
          return i;
        }, items)
        .catch((e: unknown) => e),
    );
    expect(outcome).toBeInstanceOf(RangeError);
    expect((outcome as Error).message).toBe('item 0 failed');
    await watchdog(pool.close());
    expect(started()).toBeGreaterThanOrEqual(5);
    expect(started()).toBeLessThan(300); // what was already with the worker; was all 1000
  });

  it('stops an endless iterable at the first failure and closes it', async () => {
    await using pool = new ThreadPool({ size: 2 });
    let closed = false;
    function* forever() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    const fail = (i: number) => {
      if (i === 50) throw new Error('fifty');
      return i;
    };
    await expect(watchdog(pool.map(fail, forever()))).rejects.toThrow('fifty');
    expect(closed).toBe(true);
    function* broken() {
      yield 1;
      throw new TypeError('iterable broke');
    }
    await expect(watchdog(pool.map((x: number) => x, broken()))).rejects.toThrow('iterable broke');
  });

  it('an abort rejects with the reason and cancels what has not started', async () => {
    await using pool = new ThreadPool({ size: 1 });
    const { buffer, started } = startCounter();
    const ac = new AbortController();
    const items = Array.from({ length: 100 }, () => buffer);
    const mapped = pool.map(
      (buf: SharedArrayBuffer) => {
        Atomics.add(new Int32Array(buf), 0, 1);
        return new Promise((r) => setTimeout(r, 20));
      },
      items,
      { signal: ac.signal },
    );
    await sleep(50);
    const reason = new Error('enough');
    ac.abort(reason);
    await expect(watchdog(mapped)).rejects.toBe(reason);
    await expect(pool.map((x: number) => x, [1], { signal: ac.signal })).rejects.toBe(reason);
    await watchdog(pool.close());
    expect(started()).toBeLessThan(20);
  });

  it('close() lets a running map finish; destroy() rejects it', async () => {
    const pool = new ThreadPool({ size: 2, maxQueue: 2 });
    const items = Array.from({ length: 600 }, (_, i) => i);
    const mapped = pool.map((n: number) => -n, items);
    await watchdog(pool.close());
    expect(await mapped).toEqual(items.map((n) => -n));
    const doomed = new ThreadPool({ size: 1, maxQueue: 0 });
    const waiting = doomed
      .map(
        () => new Promise((r) => setTimeout(r, 1000)),
        Array.from({ length: 10 }, (_, i) => i),
      )
      .catch((e: unknown) => e);
    await sleep(30);
    await watchdog(doomed.destroy());
    expect(await watchdog(waiting)).toBeInstanceOf(PoolClosedError);
  });
});
