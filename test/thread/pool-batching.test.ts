import { describe, expect, it } from 'vitest';
import { ThreadPool } from 'threadkit/thread';
import { watchdog } from './helpers.js';

describe('ThreadPool batching and pipelining', () => {
  it('delivers every one of 20 000 tiny results exactly once, failures included', async () => {
    await using pool = new ThreadPool({ size: 2 });
    const n = 20_000;
    const settled = new Uint8Array(n);
    const task = (i: number) => {
      if (i % 97 === 0) throw new RangeError(`bad ${i}`);
      return i * 2;
    };
    const runs = Array.from({ length: n }, (_, i) =>
      pool.run(task, { args: [i] }).then(
        (value) => {
          settled[i]!++;
          expect(value).toBe(i * 2);
          expect(i % 97).not.toBe(0);
        },
        (err: unknown) => {
          settled[i]!++;
          expect(err).toBeInstanceOf(RangeError);
          expect((err as Error).message).toBe(`bad ${i}`);
        },
      ),
    );
    await watchdog(Promise.all(runs), 60_000);
    // Let any duplicate result message arrive before counting.
    await new Promise((r) => setTimeout(r, 50));
    expect(settled.every((count) => count === 1)).toBe(true);
  });

  it('keeps results right when tiny tasks from several targets interleave with async ones', async () => {
    await using pool = new ThreadPool({ size: 2 });
    const double = (x: number) => x * 2;
    const later = async (x: number) => {
      await new Promise((r) => setTimeout(r, x % 3));
      return -x;
    };
    const runs = Array.from({ length: 3_000 }, (_, i) =>
      i % 10 === 0 ? pool.run(later, { args: [i] }) : pool.run(double, { args: [i] }),
    );
    const results = await watchdog(Promise.all(runs), 60_000);
    results.forEach((value, i) => expect(value).toBe(i % 10 === 0 ? -i : i * 2));
  });

  it('does not queue tiny tasks behind a long task on a busy worker', async () => {
    await using pool = new ThreadPool({ size: 2 });
    await pool.run(() => 0); // both workers may start; the next task keeps one busy
    const long = pool.run(() => {
      const end = Date.now() + 1_500;
      while (Date.now() < end);
      return 'long';
    });
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const tiny = await watchdog(
      Promise.all(Array.from({ length: 500 }, (_, i) => pool.run((x: number) => x, { args: [i] }))),
    );
    expect(tiny[499]).toBe(499);
    expect(Date.now() - started).toBeLessThan(1_200);
    expect(await watchdog(long)).toBe('long');
  });

  it('appends the caller stack to a task error, for run() alone, in a burst, and in map()', async () => {
    await using pool = new ThreadPool({ size: 2 });
    const fail = (n: number) => {
      throw new TypeError(`no ${n}`);
    };
    const alone = await watchdog(pool.run(fail, { args: [1] }).catch((e: unknown) => e as Error));
    const burst = await watchdog(
      Promise.all(
        Array.from({ length: 50 }, (_, i) => pool.run(fail, { args: [i] }).catch((e: unknown) => e as Error)),
      ),
    );
    const mapped = await watchdog(
      pool.map(fail, [1, 2]).then(
        () => new Error('no failure'),
        (e: unknown) => e as Error,
      ),
    );
    for (const err of [alone, burst[0]!, burst[49]!, mapped]) {
      expect(err).toBeInstanceOf(TypeError);
      expect(err.stack).toMatch(/threadkit-thread-fn[\s\S]*started from[\s\S]*pool-batching\.test\.ts/);
    }
  });
});
