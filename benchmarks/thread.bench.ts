// threadkit/thread against its baseline (a raw Worker) and its peers (piscina, tinypool, workerpool):
// thread start+join latency, pool tiny-task latency and throughput, CPU-bound scaling.
// Needs the built package (`npm run build`): workers load dist/thread-worker.js.
//
// Fairness: every pool runs the same task module with the same thread count, all pools are started
// and warmed up first, then measured in interleaved rounds (the order rotates every round), so that
// load from elsewhere hits all of them alike. Ratios are taken within each round, then the median.
import { Worker } from 'node:worker_threads';
import { Thread } from 'threadkit/thread';
import type { BenchContext, BenchResult, BenchRow, BenchSuite } from './lib/types.js';
import { median } from './lib/stats.js';
import { latencyUs, startPools, throughput } from './thread/pools.js';
import { measureScaling } from './thread/scaling.js';

const LAT = 'tiny task latency (median, one at a time)';
const TP = 'tiny task throughput (all in flight)';
const PEERS = ['piscina', 'tinypool', 'workerpool'];

interface PoolRatios {
  readonly throughputVsPiscina: number;
  readonly latencyVsBestPeer: number;
}

async function pools(ctx: BenchContext, rows: BenchRow[]): Promise<PoolRatios> {
  const size = ctx.cores;
  const rounds = ctx.smoke ? 2 : ctx.full ? 16 : 8;
  const oneAtATime = ctx.smoke ? 20 : ctx.full ? 2_000 : 500;
  const inFlight = ctx.smoke ? 4 * size : ctx.full ? 50_000 : 20_000;
  const all = startPools(size);
  for (const pool of all) {
    for (let i = 0; i < (ctx.smoke ? 10 : 500); i++) await pool.run(i); // workers started, code compiled
    await throughput(pool, ctx.smoke ? 4 * size : 5_000);
  }
  const lat = new Map<string, number[]>(all.map((p) => [p.impl, []]));
  const tp = new Map<string, number[]>(all.map((p) => [p.impl, []]));
  const tpRatios: number[] = [];
  const latRatios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const order = all.map((_, i) => all[(i + r) % all.length]!);
    const round = new Map<string, { lat: number; tp: number }>();
    for (const pool of order) {
      const l = await latencyUs(pool, oneAtATime);
      const t = await throughput(pool, inFlight);
      round.set(pool.impl, { lat: l, tp: t });
      lat.get(pool.impl)!.push(l);
      tp.get(pool.impl)!.push(t);
    }
    const ours = round.get('threadkit')!;
    tpRatios.push(ours.tp / round.get('piscina')!.tp);
    latRatios.push(ours.lat / Math.min(...PEERS.map((p) => round.get(p)!.lat)));
    ctx.log(
      `round ${r + 1}/${rounds}: ` +
        all
          .map(
            (p) => `${p.impl} ${round.get(p.impl)!.lat.toFixed(1)} µs ${Math.round(round.get(p.impl)!.tp)}/s`,
          )
          .join(', '),
    );
  }
  for (const pool of all) {
    const params = { threads: size, rounds };
    rows.push({
      case: LAT,
      impl: pool.impl,
      value: median(lat.get(pool.impl)!),
      unit: 'µs',
      higherIsBetter: false,
      params,
    });
    rows.push({
      case: TP,
      impl: pool.impl,
      value: median(tp.get(pool.impl)!),
      unit: 'tasks/s',
      higherIsBetter: true,
      params,
    });
    rows.push({
      case: `${TP}, best round`,
      impl: pool.impl,
      value: Math.max(...tp.get(pool.impl)!),
      unit: 'tasks/s',
      higherIsBetter: true,
      params,
    });
    await pool.stop();
  }
  return { throughputVsPiscina: median(tpRatios), latencyVsBestPeer: median(latRatios) };
}

function rawWorker(x: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const w = new Worker(
      'const { parentPort, workerData } = require("node:worker_threads"); parentPort.postMessage(workerData + 1)',
      { eval: true, workerData: x },
    );
    w.once('message', resolve);
    w.once('error', reject);
  });
}

/** Thread start+join against a raw Worker doing the same, alternating; returns the ratio of medians. */
async function threadStartJoin(ctx: BenchContext, rows: BenchRow[]): Promise<number> {
  const n = ctx.smoke ? 2 : ctx.full ? 40 : 16;
  const raw: number[] = [];
  const ours: number[] = [];
  await new Thread((x: number) => x + 1, { args: [0] }).start().join(); // load the modules once
  await rawWorker(0);
  for (let i = 0; i < n; i++) {
    let t0 = performance.now();
    await new Thread((x: number) => x + 1, { args: [i] }).start().join();
    ours.push(performance.now() - t0);
    t0 = performance.now();
    await rawWorker(i);
    raw.push(performance.now() - t0);
  }
  const execArgv = process.execArgv.join(' ') || '(none)';
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
      params: { execArgv },
    });
  }
  ctx.log(
    `start+join (execArgv ${execArgv}): Thread ${median(ours).toFixed(1)} ms, raw Worker ${median(raw).toFixed(1)} ms`,
  );
  return median(ours) / median(raw);
}

/** Busy-loop scaling of threadkit and of raw Workers; returns both speedups on all cores. */
async function cpuScaling(ctx: BenchContext, rows: BenchRow[]): Promise<{ ours: number; raw: number }> {
  const work = ctx.smoke ? 1e5 : ctx.full ? 2e8 : 5e7;
  const rounds = ctx.smoke ? 1 : ctx.full ? 5 : 3;
  const speedups = await measureScaling(ctx.cores, work, rounds, (line) => ctx.log(line));
  for (const [impl, values] of speedups) {
    for (const { threads, speedup } of values) {
      rows.push({
        case: 'CPU-bound scaling',
        impl,
        value: speedup,
        unit: 'x',
        higherIsBetter: true,
        params: { threads },
      });
    }
  }
  // The last size is `cores` itself (scalingSizes).
  return {
    ours: speedups.get('threadkit')!.at(-1)!.speedup,
    raw: speedups.get('raw Worker')!.at(-1)!.speedup,
  };
}

const suite: BenchSuite = {
  name: 'thread',
  async run(ctx: BenchContext): Promise<BenchResult> {
    const rows: BenchRow[] = [];
    const pool = await pools(ctx, rows);
    const startRatio = await threadStartJoin(ctx, rows);
    const speedup = await cpuScaling(ctx, rows);
    const efficiency = speedup.ours / ctx.cores;
    return {
      rows,
      ratios: [
        {
          label: 'pool tiny-task throughput vs piscina (median of per-round ratios)',
          value: pool.throughputVsPiscina,
          target: '>= 3x',
          pass: pool.throughputVsPiscina >= 3,
        },
        {
          label: 'pool tiny-task median latency vs best peer (median of per-round ratios)',
          value: pool.latencyVsBestPeer,
          target: '< 1x',
          pass: pool.latencyVsBestPeer < 1,
        },
        {
          label: 'Thread start+join vs raw Worker',
          value: startRatio,
          target: '<= 1.5x',
          pass: startRatio <= 1.5,
        },
        {
          label: `CPU-bound speedup on ${ctx.cores} threads / ${ctx.cores}`,
          value: efficiency,
          target: '>= 0.9',
          pass: efficiency >= 0.9,
        },
        {
          // What the machine allowed in the same run: below 0.9·N here too means other load, not us.
          label: `CPU-bound speedup vs raw Workers on ${ctx.cores} threads`,
          value: speedup.ours / speedup.raw,
          target: '>= 0.95x',
          pass: speedup.ours / speedup.raw >= 0.95,
        },
      ],
      notes: [
        "How the pools differ: threadkit's ThreadPool sends queued tasks to a worker in batches (up to 64 " +
          'in one message) and sends a busy worker its next batch before it has finished the current one; ' +
          'piscina, tinypool and workerpool, with their default options, post one message per task. The ' +
          'tiny task (x + 1) costs nothing but its messaging, so the tiny-task throughput ratio shows ' +
          'batching at its best; tasks that run longer than a message round trip gain little from it.',
      ],
      charts: [
        { title: 'CPU-bound scaling', case: 'CPU-bound scaling', xParam: 'threads', yLabel: 'speedup (x)' },
      ],
    };
  },
};

export default suite;
