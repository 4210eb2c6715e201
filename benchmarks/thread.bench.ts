// threadkit/thread against its baseline (a raw Worker) and its peers (piscina, tinypool, workerpool):
// thread start+join latency, pool tiny-task latency and throughput, CPU-bound scaling.
// Needs the built package (`npm run build`): workers load dist/thread-worker.js.
import { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import Tinypool from 'tinypool';
import workerpool from 'workerpool';
import { Thread, ThreadPool } from 'threadkit/thread';
import type { BenchContext, BenchResult, BenchRow, BenchSuite } from './lib/types.js';

const TASK_FILE = new URL('./fixtures/thread-task.mjs', import.meta.url);
const WORKERPOOL_SCRIPT = new URL('./fixtures/thread-task-workerpool.cjs', import.meta.url);

/** One pool under test: run the tiny task (x + 1) and stop. */
interface PoolUnderTest {
  readonly impl: string;
  run(x: number): Promise<unknown>;
  stop(): Promise<unknown>;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function pools(size: number): (() => PoolUnderTest)[] {
  return [
    () => {
      const pool = new ThreadPool({ size });
      const addOne = (x: number) => x + 1;
      return { impl: 'threadkit', run: (x) => pool.run(addOne, { args: [x] }), stop: () => pool.close() };
    },
    () => {
      const pool = new Piscina({ filename: TASK_FILE.href, minThreads: size, maxThreads: size });
      return { impl: 'piscina', run: (x) => pool.run(x) as Promise<unknown>, stop: () => pool.destroy() };
    },
    () => {
      const pool = new Tinypool({ filename: TASK_FILE.href, minThreads: size, maxThreads: size });
      return { impl: 'tinypool', run: (x) => pool.run(x) as Promise<unknown>, stop: () => pool.destroy() };
    },
    () => {
      const pool = workerpool.pool(WORKERPOOL_SCRIPT.pathname, {
        minWorkers: size,
        maxWorkers: size,
        workerType: 'thread',
      });
      return {
        impl: 'workerpool',
        run: (x) => Promise.resolve(pool.exec('addOne', [x])),
        stop: async () => {
          await pool.terminate();
        },
      };
    },
  ];
}

async function latencyAndThroughput(ctx: BenchContext, rows: BenchRow[]): Promise<void> {
  const size = ctx.cores;
  const oneAtATime = ctx.full ? 20_000 : 3_000;
  const inFlight = ctx.full ? 200_000 : 40_000;
  for (const make of pools(size)) {
    const pool = make();
    for (let i = 0; i < 500; i++) await pool.run(i); // warm up: workers started, code compiled
    const samples: number[] = [];
    for (let i = 0; i < oneAtATime; i++) {
      const t0 = performance.now();
      await pool.run(i);
      samples.push(performance.now() - t0);
    }
    const latencyUs = median(samples) * 1000;
    rows.push({
      case: 'tiny task latency (median, one at a time)',
      impl: pool.impl,
      value: latencyUs,
      unit: 'µs',
      higherIsBetter: false,
      params: { threads: size },
    });
    const t0 = performance.now();
    const all: Promise<unknown>[] = new Array<Promise<unknown>>(inFlight);
    for (let i = 0; i < inFlight; i++) all[i] = pool.run(i);
    await Promise.all(all);
    const perSecond = inFlight / ((performance.now() - t0) / 1000);
    rows.push({
      case: 'tiny task throughput (all in flight)',
      impl: pool.impl,
      value: perSecond,
      unit: 'tasks/s',
      higherIsBetter: true,
      params: { threads: size },
    });
    ctx.log(`${pool.impl}: latency ${latencyUs.toFixed(1)} µs, throughput ${Math.round(perSecond)} tasks/s`);
    await pool.stop();
  }
}

async function threadStartJoin(ctx: BenchContext, rows: BenchRow[]): Promise<void> {
  const n = ctx.full ? 40 : 12;
  const raw: number[] = [];
  const ours: number[] = [];
  for (let i = 0; i < n; i++) {
    let t0 = performance.now();
    await new Thread((x: number) => x + 1, { args: [i] }).start().join();
    ours.push(performance.now() - t0);
    t0 = performance.now();
    await new Promise((resolve, reject) => {
      const w = new Worker('require("node:worker_threads").parentPort.postMessage(1)', { eval: true });
      w.once('message', resolve);
      w.once('error', reject);
    });
    raw.push(performance.now() - t0);
  }
  for (const [impl, samples] of [
    ['threadkit Thread', ours],
    ['raw Worker', raw],
  ] as const) {
    rows.push({
      case: 'thread start + join (median)',
      impl,
      value: median(samples),
      unit: 'ms',
      higherIsBetter: false,
    });
  }
  ctx.log(`start+join: Thread ${median(ours).toFixed(1)} ms, raw Worker ${median(raw).toFixed(1)} ms`);
}

async function cpuScaling(ctx: BenchContext, rows: BenchRow[]): Promise<number> {
  const work = ctx.full ? 2e8 : 5e7;
  const spin = (iterations: number) => {
    let x = 0;
    for (let i = 0; i < iterations; i++) x = (x + i * 7) % 1_000_003;
    return x;
  };
  let single = NaN;
  let speedup = NaN;
  for (let threads = 1; threads <= ctx.cores; threads++) {
    await using pool = new ThreadPool({ size: threads });
    await Promise.all(Array.from({ length: threads }, () => pool.run(spin, { args: [1000] }))); // warm
    const t0 = performance.now();
    await Promise.all(Array.from({ length: threads }, () => pool.run(spin, { args: [work] })));
    const ms = performance.now() - t0;
    if (threads === 1) single = ms;
    speedup = (threads * single) / ms;
    rows.push({
      case: 'CPU-bound scaling',
      impl: 'threadkit',
      value: speedup,
      unit: 'x',
      higherIsBetter: true,
      params: { threads },
    });
    ctx.log(
      `${threads} thread(s): ${ms.toFixed(0)} ms for ${threads} x ${work} iterations, speedup ${speedup.toFixed(2)}`,
    );
  }
  return speedup;
}

const suite: BenchSuite = {
  name: 'thread',
  async run(ctx: BenchContext): Promise<BenchResult> {
    const rows: BenchRow[] = [];
    await latencyAndThroughput(ctx, rows);
    await threadStartJoin(ctx, rows);
    const speedup = await cpuScaling(ctx, rows);
    const value = (c: string, impl: string) =>
      rows.find((r) => r.case === c && r.impl === impl)?.value ?? NaN;
    const tp = 'tiny task throughput (all in flight)';
    const lat = 'tiny task latency (median, one at a time)';
    const peers = ['piscina', 'tinypool', 'workerpool'];
    const bestPeerLatency = Math.min(...peers.map((p) => value(lat, p)));
    const throughputRatio = value(tp, 'threadkit') / value(tp, 'piscina');
    const latencyRatio = value(lat, 'threadkit') / bestPeerLatency;
    const startRatio =
      value('thread start + join (median)', 'threadkit Thread') /
      value('thread start + join (median)', 'raw Worker');
    return {
      rows,
      ratios: [
        {
          label: 'pool tiny-task throughput vs piscina',
          value: throughputRatio,
          target: '>= 3x',
          pass: throughputRatio >= 3,
        },
        {
          label: 'pool tiny-task median latency vs best peer',
          value: latencyRatio,
          target: '< 1x',
          pass: latencyRatio < 1,
        },
        {
          label: 'Thread start+join vs raw Worker',
          value: startRatio,
          target: '<= 1.5x',
          pass: startRatio <= 1.5,
        },
        {
          label: `CPU-bound speedup on ${ctx.cores} threads / ${ctx.cores}`,
          value: speedup / ctx.cores,
          target: '>= 0.9',
          pass: speedup / ctx.cores >= 0.9,
        },
      ],
      charts: [
        { title: 'CPU-bound scaling', case: 'CPU-bound scaling', xParam: 'threads', yLabel: 'speedup (x)' },
      ],
    };
  },
};

export default suite;
