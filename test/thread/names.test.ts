// Default names are numbered per process, as Python numbers threads: a thread started inside a thread,
// or inside a pool task, takes the next number of the one sequence, not a second 'Thread-1'.
import { describe, expect, it } from 'vitest';
import { Thread, ThreadPool, currentThread } from 'threadkit/thread';
import { watchdog } from './helpers.js';

const numberOf = (name: string, prefix: string): number => {
  expect(name).toMatch(new RegExp(`^${prefix}-\\d+$`));
  return Number(name.slice(prefix.length + 1));
};

/** The fixture that runs in a thread and reports the default names it sees there. */
const NAMES_INSIDE = new URL('../fixtures/thread/names.mjs', import.meta.url);
interface Inside {
  self: string;
  thread: string;
  poolWorker: string;
  nested: [string, string];
}

describe('default names across threads', () => {
  it('threads started inside threads continue the process-wide Thread-<n> sequence', async () => {
    const before = numberOf(new Thread(() => 0).name, 'Thread');
    const outer = new Thread<Inside>(NAMES_INSIDE, { export: 'namesInside' }).start();
    const inside = await watchdog(outer.join());
    const after = numberOf(new Thread(() => 0).name, 'Thread');

    const threads = [outer.name, inside.thread, ...inside.nested].map((n) => numberOf(n, 'Thread'));
    expect(inside.self).toBe(outer.name);
    // outer, the nested thread, and a Thread made in each: all distinct, all after `before`.
    const distinct = new Set([outer.name, inside.thread, ...inside.nested]);
    expect(distinct.size).toBe(4);
    for (const n of threads) expect(n).toBeGreaterThan(before);
    expect(after).toBeGreaterThan(Math.max(...threads));
    expect(currentThread().name).toBe('MainThread');
  });

  it('pools and their workers, here and inside a pool task, get distinct names', async () => {
    /** The name of the pool's worker that runs a task: 'ThreadPool-<n>-1' for a pool of one. */
    const workerOf = (pool: ThreadPool) =>
      watchdog(pool.run<string, []>(NAMES_INSIDE, { export: 'workerName' }));
    const poolOf = (worker: string) => worker.slice(0, worker.lastIndexOf('-'));
    await using pool = new ThreadPool({ size: 1 });
    const inside = await watchdog(pool.run<Inside, []>(NAMES_INSIDE, { export: 'namesInside' }));
    await using later = new ThreadPool({ size: 1 });

    const first = await workerOf(pool);
    expect(inside.self).toBe(first); // the task ran on the pool's worker
    const pools = [first, inside.poolWorker, await workerOf(later)].map((w) =>
      numberOf(poolOf(w), 'ThreadPool'),
    );
    expect(new Set(pools).size).toBe(3);
    expect(pools[1]).toBeGreaterThan(pools[0]!);
    expect(pools[2]).toBeGreaterThan(pools[1]!);
    // Threads made in a pool task take numbers from the same sequence as threads made here.
    const mine = numberOf(new Thread(() => 0).name, 'Thread');
    for (const name of [inside.thread, ...inside.nested]) expect(numberOf(name, 'Thread')).toBeLessThan(mine);
  });
});
