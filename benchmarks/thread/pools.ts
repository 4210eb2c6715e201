// The pools under test in benchmarks/thread.bench.ts: threadkit and its peers, each running the same
// tiny task (benchmarks/fixtures/thread-task.mjs, x + 1) on the same number of threads.
import { Piscina } from 'piscina';
import Tinypool from 'tinypool';
import workerpool from 'workerpool';
import { ThreadPool } from 'threadkit/thread';
import { median } from '../lib/stats.js';

const TASK_FILE = new URL('../fixtures/thread-task.mjs', import.meta.url);
const WORKERPOOL_SCRIPT = new URL('../fixtures/thread-task-workerpool.cjs', import.meta.url);

/** One pool under test: runs the tiny task (x + 1), and stops. */
export interface PoolUnderTest {
  readonly impl: string;
  run(x: number): Promise<unknown>;
  stop(): Promise<unknown>;
}

/** Starts every pool with `size` threads. */
export function startPools(size: number): PoolUnderTest[] {
  const threadkit = new ThreadPool({ size });
  const piscina = new Piscina({ filename: TASK_FILE.href, minThreads: size, maxThreads: size });
  const tinypool = new Tinypool({ filename: TASK_FILE.href, minThreads: size, maxThreads: size });
  const wp = workerpool.pool(WORKERPOOL_SCRIPT.pathname, {
    minWorkers: size,
    maxWorkers: size,
    workerType: 'thread',
  });
  return [
    { impl: 'threadkit', run: (x) => threadkit.run(TASK_FILE, { args: [x] }), stop: () => threadkit.close() },
    { impl: 'piscina', run: (x) => piscina.run(x) as Promise<unknown>, stop: () => piscina.destroy() },
    { impl: 'tinypool', run: (x) => tinypool.run(x) as Promise<unknown>, stop: () => tinypool.destroy() },
    {
      impl: 'workerpool',
      run: (x) => Promise.resolve(wp.exec('addOne', [x])),
      stop: async () => {
        await wp.terminate();
      },
    },
  ];
}

/** Median one-at-a-time latency of `n` tasks, in µs. */
export async function latencyUs(pool: PoolUnderTest, n: number): Promise<number> {
  const samples = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await pool.run(i);
    samples[i] = performance.now() - t0;
  }
  return median(Array.from(samples)) * 1000;
}

/** Tasks per second with `n` tasks submitted at once; checks every result. */
export async function throughput(pool: PoolUnderTest, n: number): Promise<number> {
  const all = new Array<Promise<unknown>>(n);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) all[i] = pool.run(i);
  const results = await Promise.all(all);
  const perSecond = n / ((performance.now() - t0) / 1000);
  for (let i = 0; i < n; i++) {
    if (results[i] !== i + 1) throw new Error(`${pool.impl}: task ${i} returned ${String(results[i])}`);
  }
  return perSecond;
}
