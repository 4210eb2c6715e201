import { describe, expect, it } from 'vitest';
import { Queue } from 'threadkit/queue';
import { spawn, ThreadPool } from 'threadkit/thread';

// Through Thread/ThreadPool args a Queue arrives live: the thread puts and gets on the same memory.
describe('Queue through Thread and ThreadPool args (built package)', () => {
  it('arrives live in spawn(...) args: the thread puts, the main thread gets', async () => {
    const q = new Queue<{ square: number }>(4);
    const t = spawn(async (queue: Queue<{ square: number }>) => {
      const { Queue: Cls } = await import('threadkit/queue');
      for (let i = 1; i <= 10; i++) queue.put({ square: i * i }); // blocks while full
      queue.close();
      return queue instanceof Cls;
    }, q);
    const got: number[] = [];
    for await (const v of q) got.push(v.square);
    expect(await t.join()).toBe(true);
    expect(got).toEqual([1, 4, 9, 16, 25, 36, 49, 64, 81, 100]);
  });

  it('works as a work queue for pool tasks', async () => {
    const jobs = new Queue<number>(8);
    const results = new Queue<number>(32); // holds every result: the main thread reads them last
    await using pool = new ThreadPool({ size: 2 });
    const workers = [0, 1].map(() =>
      pool.run(
        async (inQ: Queue<number>, outQ: Queue<number>) => {
          for await (const n of inQ) await outQ.putAsync(n * 2);
        },
        { args: [jobs, results] },
      ),
    );
    for (let i = 1; i <= 20; i++) await jobs.putAsync(i, { timeoutMs: 5000 });
    jobs.close();
    let sum = 0;
    for (let i = 0; i < 20; i++) sum += await results.getAsync({ timeoutMs: 5000 });
    await Promise.all(workers);
    expect(sum).toBe(2 * 210);
  });
});
