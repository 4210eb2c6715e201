import { describe, expect, it } from 'vitest';
import { Barrier } from 'threadkit/barrier';
import { Event } from 'threadkit/event';
import { QueueFullError, ThreadPool } from 'threadkit/thread';
import { watchdog } from './helpers.js';

/** Spins `ms` of CPU; returns which worker ran it, and when (ms since the epoch). */
async function spinOn(ms: number): Promise<{ thread: number; start: number; end: number }> {
  const { threadId } = await import('node:worker_threads');
  const start = performance.timeOrigin + performance.now();
  while (performance.timeOrigin + performance.now() < start + ms);
  return { thread: threadId, start, end: performance.timeOrigin + performance.now() };
}

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

  it('spreads a burst of CPU-bound tasks over both workers, even when one was just streaming results', async () => {
    await using pool = new ThreadPool({ size: 2 });
    for (let round = 0; round < 3; round++) {
      // One worker reports a tiny result at once, the other 30 ms later, just before the burst: the
      // burst must not pile up on the worker that reported last while the other one goes idle.
      await watchdog(Promise.all([pool.run(spinOn, { args: [30] }), pool.run(spinOn, { args: [0] })]));
      const runs = await watchdog(pool.map(spinOn, Array<number>(8).fill(40)));
      const perWorker = new Map<number, number>();
      for (const { thread } of runs) perWorker.set(thread, (perWorker.get(thread) ?? 0) + 1);
      // 4 each when both run at the same speed; allow for a loaded machine, not for 7 and 1.
      expect(perWorker.size).toBe(2);
      expect(Math.min(...perWorker.values())).toBeGreaterThanOrEqual(3);
      // ...and they ran at the same time: some task of one worker overlaps one of the other.
      const [a, b] = [...perWorker.keys()].map((id) => runs.filter((r) => r.thread === id));
      expect(a!.some((x) => b!.some((y) => x.start < y.end && y.start < x.end))).toBe(true);
    }
  });

  it('runs two tasks that wait for each other (a Barrier) on the two workers, after a burst of tiny tasks', async () => {
    await using pool = new ThreadPool({ size: 2 });
    const meet = (barrier: Barrier) => (barrier.wait(5_000) === null ? 'timed out' : 'met');
    for (let round = 0; round < 5; round++) {
      const barrier = new Barrier(2);
      const tiny = Array.from({ length: 50 }, (_, i) => pool.run((x: number) => x, { args: [i] }));
      const met = watchdog(
        Promise.all([pool.run(meet, { args: [barrier] }), pool.run(meet, { args: [barrier] })]),
        8_000,
      );
      expect(await met).toEqual(['met', 'met']);
      await watchdog(Promise.all(tiny));
    }
  });

  it('lets a free worker take the tasks queued on a worker stuck in a long task', async () => {
    await using pool = new ThreadPool({ size: 2 });
    // A burst of 64 pipelined tasks, the first of which is long: the rest must not wait for it.
    const first = pool.run(spinOn, { args: [600] });
    const rest = Array.from({ length: 63 }, () => pool.run(spinOn, { args: [1] }));
    const done = await watchdog(Promise.all(rest));
    const long = await watchdog(first);
    const behind = done.filter((r) => r.thread === long.thread && r.start >= long.end);
    expect(behind).toEqual([]);
  });

  it('counts tasks toward maxQueue right after workers took tasks over from each other', async () => {
    await using pool = new ThreadPool({ size: 2, maxQueue: 70 });
    // As above: the free worker takes over tasks sent ahead to the one stuck in the long task.
    for (let round = 0; round < 2; round++) {
      const first = pool.run(spinOn, { args: [300] });
      await watchdog(
        Promise.all([first, ...Array.from({ length: 63 }, () => pool.run(spinOn, { args: [1] }))]),
      );
    }
    // Idle again, so exactly 2 running + 70 waiting fit, and the next is refused.
    const go = new Event();
    const hold = (e: Event) => e.wait(10_000);
    const held = Array.from({ length: 72 }, () => pool.run(hold, { args: [go] }));
    await expect(pool.run(hold, { args: [go] })).rejects.toBeInstanceOf(QueueFullError);
    go.set();
    expect(await watchdog(Promise.all(held))).toEqual(Array<boolean>(72).fill(true));
  });

  it('runs every task exactly once while idle workers keep taking tasks from busy ones', async () => {
    await using pool = new ThreadPool({ size: 4 });
    const n = 3_000;
    const runs = new Int32Array(new SharedArrayBuffer(n * 4));
    const task = (counts: Int32Array, i: number) => {
      Atomics.add(counts, i, 1);
      // Mostly tiny, now and then a few ms: workers run out of work at different times, and take
      // over each other's unstarted tasks while those are being started.
      const end = performance.now() + (i % 37 === 0 ? 4 : i % 5 === 0 ? 0.2 : 0);
      while (performance.now() < end);
      return i;
    };
    for (let burst = 0; burst < 3; burst++) {
      const results = await watchdog(
        Promise.all(Array.from({ length: n }, (_, i) => pool.run(task, { args: [runs, i] }))),
        20_000,
      );
      results.forEach((value, i) => expect(value).toBe(i));
    }
    expect(runs.every((count) => count === 3)).toBe(true);
  });
});
