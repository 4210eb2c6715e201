// The pools under test in benchmarks/thread.bench.ts: threadkit and its peers, each running the same
// tiny task (benchmarks/fixtures/thread-task.mjs, x + 1) on the same number of threads. workerpool and
// threads.js need a worker file that registers the task: theirs import it from thread-task.mjs.
import { Piscina } from 'piscina';
import Tinypool from 'tinypool';
import workerpool from 'workerpool';
import { ThreadPool } from 'threadkit/thread';
import { median } from '../lib/stats.js';
import { threadsJsPool } from './threads-js.js';

const TASK_FILE = new URL('../fixtures/thread-task.mjs', import.meta.url);
const WORKERPOOL_SCRIPT = new URL('../fixtures/thread-task-workerpool.cjs', import.meta.url);

/** One pool under test: runs the tiny task (x + 1), and stops. */
export interface PoolUnderTest {
  readonly impl: string;
  run(x: number): Promise<unknown>;
  stop(): Promise<unknown>;
  /** The most tasks it gets in flight at once in a throughput run, when fewer than the others get. */
  readonly maxInFlight?: number;
}

/**
 * Tasks threads.js gets in flight at once. Its pool subscribes every queued task to one shared event
 * stream that reports every task's start and end, so a burst of n tasks costs O(n²) callbacks: on 2 busy
 * threads it ran 1,300 tasks/s with 1,000 in flight, 1,265 with 2,000, 935 with 5,000 and 740 with
 * 10,000 (20,000, the quick profile's burst, would take about 30 s a round). With 2,000 it runs
 * near its best, so the cap favours it.
 */
export const THREADS_JS_MAX_IN_FLIGHT = 2_000;

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

/**
 * Starts threads.js's pool with `size` threads. Measured after the other pools, not among them: once
 * it has run tasks, the one-at-a-time latency of the pools measured after it in the same process stays
 * 3× higher (threadkit 8 → 23–30 µs on 2 cores, for good: not garbage, which a gc() and a 1.5 s pause
 * did not clear), which would charge its cost to the others.
 */
export async function startThreadsJsPool(size: number): Promise<PoolUnderTest> {
  return { impl: 'threads.js', ...(await threadsJsPool(size)), maxInFlight: THREADS_JS_MAX_IN_FLIGHT };
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

/** How many tasks `pool` gets at once when the others get `n`. */
export function inFlightFor(pool: PoolUnderTest, n: number): number {
  return Math.min(n, pool.maxInFlight ?? n);
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
