// Mutex benchmarks: the threadkit Mutex against a raw Atomics pair, async-mutex and a naive futex lock,
// all measured side by side in one run and reported as ratios (issue 2).
//   1. uncontended cost on one thread (benchmark.js)
//   2. contended throughput at 1, 2, 4, ... workers, one-increment critical section
//   3. fairness under contention: acquisitions per worker (max/min) and the longest single wait
//   4. handoff latency between two workers vs a raw Atomics.wait/notify ping-pong
import type { BenchContext, BenchRatio, BenchRow, BenchSuite } from './lib/types.js';
import { SMOKE_MICRO, runMicro } from './lib/micro.js';
import { median, workerCounts } from './lib/stats.js';
import { runWorkers, type WorkerRunResult } from './lib/workers.js';
import { LOCK_NAMES, counterOf, lockBuffer, type LockName } from './mutex/locks.js';
import * as U from './mutex/uncontended.js';

const CONTENDED_BODY = new URL('./mutex/contended.body.ts', import.meta.url);
const HANDOFF_BODY = new URL('./mutex/handoff.body.ts', import.meta.url);
const PINGPONG_BODY = new URL('./mutex/raw-pingpong.body.ts', import.meta.url);
const RAW_PINGPONG = 'raw wait/notify';

const CONTENDED = 'contended throughput';
const LONGEST_WAIT = 'fairness: longest wait';
const SPREAD = 'fairness: max/min acquisitions per worker';
const HANDOFF = 'handoff latency';
const UNCONTENDED = 'uncontended, one thread';

interface Profile {
  /** benchmark.js seconds per single-thread case. */
  readonly maxTime: number;
  /** Measured phase of one multi-thread run. */
  readonly durationMs: number;
  /** Runs per (lock, worker count); the median is reported. */
  readonly reps: number;
  /** Largest worker count. */
  readonly maxWorkers: number;
}

function profile(ctx: BenchContext): Profile {
  const p = ctx.full
    ? { maxTime: 2, durationMs: 2000, reps: 5, maxWorkers: Math.max(2 * ctx.cores, 16) }
    : { maxTime: 0.5, durationMs: 1000, reps: 3, maxWorkers: Math.max(ctx.cores, 4) };
  // Smoke: the profile's worker counts, every run as short as it can be.
  return ctx.smoke ? { ...p, maxTime: SMOKE_MICRO.maxTime, durationMs: 20, reps: 1 } : p;
}

const suite: BenchSuite = {
  name: 'mutex',
  async run(ctx) {
    const p = profile(ctx);
    const rows: BenchRow[] = [];
    const ratios: BenchRatio[] = [];
    await uncontended(ctx, p, rows, ratios);
    const counts = workerCounts(ctx.cores, p.maxWorkers);
    await contended(ctx, p, counts, rows, ratios);
    await fairness(
      ctx,
      p,
      counts.filter((n) => n >= 2),
      rows,
      ratios,
    );
    await handoff(ctx, p, rows, ratios);
    return {
      rows,
      ratios,
      notes: [
        'threadkit withLock(fn) blocks its thread on Atomics while async-mutex runExclusive(fn) awaits a ' +
          'promise: their ratio is not like for like. threadkit withLockAsync(fn) is the comparable call. ' +
          "The naive futex lock is Drepper's three-state futex mutex (benchmarks/mutex/naive-futex-lock.ts).",
        "No peer's lock works across workers here: async-mutex serialises promises within one thread, and " +
          "@esfx/threading's Mutex (on SharedArrayBuffer), the peer for the contended and handoff cases, " +
          'cannot be installed: the npm registry has no @esfx/threading (nor @esfx/threading-mutex).',
      ],
      charts: [
        {
          title: 'Contended throughput (one-increment critical section)',
          case: CONTENDED,
          xParam: 'workers',
          yLabel: 'lock+unlock per second',
        },
        { title: 'Longest single wait for the lock', case: LONGEST_WAIT, xParam: 'workers', yLabel: 'ms' },
        { title: 'Acquisitions per worker, max/min', case: SPREAD, xParam: 'workers', yLabel: 'max/min' },
      ],
    };
  },
};
export default suite;

async function uncontended(
  ctx: BenchContext,
  p: Profile,
  rows: BenchRow[],
  ratios: BenchRatio[],
): Promise<void> {
  const results = await runMicro(U.uncontendedCases(), {
    ...(ctx.smoke ? SMOKE_MICRO : { maxTime: p.maxTime }),
    log: (l) => ctx.log(`uncontended ${l}`),
  });
  const hz = new Map(results.map((r) => [r.name, r.hz]));
  for (const r of results) {
    rows.push({
      case: UNCONTENDED,
      impl: r.name,
      value: r.hz,
      unit: 'ops/s',
      higherIsBetter: true,
      params: { rme: round(r.rme, 1) },
    });
  }
  const get = (name: string): number => hz.get(name) ?? NaN;
  // Cost ratios (time per op of threadkit / time per op of the baseline) = baseline hz / threadkit hz.
  const slowdown = (name: string): number => get(U.RAW) / get(name);
  const lockCost = slowdown(U.LOCK_UNLOCK);
  ratios.push({
    label: `${U.LOCK_UNLOCK} cost vs ${U.RAW}`,
    value: lockCost,
    target: '<= 1.5x',
    pass: lockCost <= 1.5,
  });
  ratios.push({ label: `${U.GUARD} cost vs ${U.RAW}`, value: slowdown(U.GUARD) });
  ratios.push({ label: `${U.USING} cost vs ${U.RAW}`, value: slowdown(U.USING) });
  ratios.push({ label: `${U.WITH_LOCK} cost vs ${U.RAW}`, value: slowdown(U.WITH_LOCK) });
  ratios.push({ label: `${U.TRY_LOCK} cost vs ${U.RAW}`, value: slowdown(U.TRY_LOCK) });
  ratios.push({ label: `${U.LOCK_UNLOCK} cost vs ${U.NAIVE}`, value: get(U.NAIVE) / get(U.LOCK_UNLOCK) });
  // Not like for like (withLock blocks the thread, runExclusive is promise-based): labelled as such;
  // withLockAsync is the comparable call.
  ratios.push({
    label: `${U.WITH_LOCK} (blocking) speed vs ${U.RUN_EXCLUSIVE} (async)`,
    value: get(U.WITH_LOCK) / get(U.RUN_EXCLUSIVE),
  });
  ratios.push({
    label: `${U.WITH_LOCK_ASYNC} speed vs ${U.RUN_EXCLUSIVE}`,
    value: get(U.WITH_LOCK_ASYNC) / get(U.RUN_EXCLUSIVE),
  });
}

/** One multi-worker run of the contended body; checks that the lock kept the counter exact. */
async function hammer(
  lock: LockName,
  workers: number,
  durationMs: number,
  timed: boolean,
): Promise<WorkerRunResult> {
  const shared = lockBuffer(1);
  const r = await runWorkers({
    body: CONTENDED_BODY,
    workers,
    durationMs,
    shared,
    params: { lock, timed: timed ? 1 : 0 },
  });
  const counted = counterOf(shared, 1)[0];
  if (counted !== r.totalOps) {
    throw new Error(
      `${lock} with ${workers} workers: counter is ${counted}, expected ${r.totalOps}: mutual exclusion broken`,
    );
  }
  return r;
}

async function contended(
  ctx: BenchContext,
  p: Profile,
  counts: number[],
  rows: BenchRow[],
  ratios: BenchRatio[],
): Promise<void> {
  const samples = new Map<string, number[]>();
  // Repetitions outermost and locks interleaved, so drift in machine load hits every lock alike.
  for (let rep = 1; rep <= p.reps; rep++) {
    for (const workers of counts) {
      for (const lock of LOCK_NAMES) {
        const r = await hammer(lock, workers, p.durationMs, false);
        const key = `${lock}@${workers}`;
        samples.set(key, [...(samples.get(key) ?? []), r.opsPerSec]);
        ctx.log(
          `${CONTENDED} ${lock} × ${workers} workers (rep ${rep}/${p.reps}): ${(r.opsPerSec / 1e6).toFixed(2)} M ops/s`,
        );
      }
    }
  }
  const med = (lock: LockName, workers: number): number => median(samples.get(`${lock}@${workers}`) ?? []);
  for (const workers of counts) {
    for (const lock of LOCK_NAMES) {
      rows.push({
        case: CONTENDED,
        impl: lock,
        value: med(lock, workers),
        unit: 'ops/s',
        higherIsBetter: true,
        params: { workers },
      });
    }
    const ratio = med('threadkit', workers) / med('naive futex', workers);
    const target = workers === 2 ? 2 : 1;
    ratios.push({
      label: `contended throughput, threadkit / naive futex, ${workers} workers`,
      value: ratio,
      target: `>= ${target}x`,
      pass: ratio >= target,
    });
  }
}

async function fairness(
  ctx: BenchContext,
  p: Profile,
  counts: number[],
  rows: BenchRow[],
  ratios: BenchRatio[],
): Promise<void> {
  for (const workers of counts) {
    for (const lock of LOCK_NAMES) {
      const r = await hammer(lock, workers, p.durationMs, true);
      const ops = r.reports.map((x) => x.ops);
      const max = Math.max(...ops);
      const min = Math.min(...ops);
      const spread = max / Math.max(min, 1);
      const longest = Math.max(...r.reports.map((x) => x.stats.maxWaitMs ?? 0));
      const over1ms = r.reports.reduce((s, x) => s + (x.stats.waitsOver1ms ?? 0), 0);
      rows.push({
        case: SPREAD,
        impl: lock,
        value: spread,
        unit: 'x',
        higherIsBetter: false,
        params: { workers, min, max },
      });
      rows.push({
        case: LONGEST_WAIT,
        impl: lock,
        value: longest,
        unit: 'ms',
        higherIsBetter: false,
        params: { workers, waitsOver1ms: over1ms },
      });
      ctx.log(
        `fairness ${lock} × ${workers} workers: max/min ${spread.toFixed(2)}, longest wait ${longest.toFixed(2)} ms, ${over1ms} waits > 1 ms`,
      );
      if (lock === 'threadkit') {
        ratios.push({ label: `threadkit acquisitions max/min, ${workers} workers`, value: spread });
        ratios.push(
          workers === 16
            ? {
                label: 'threadkit longest wait, 16 workers',
                value: longest,
                unit: 'ms',
                target: '<= 2 ms',
                pass: longest <= 2,
              }
            : { label: `threadkit longest wait, ${workers} workers`, value: longest, unit: 'ms' },
        );
      }
    }
  }
}

async function handoff(ctx: BenchContext, p: Profile, rows: BenchRow[], ratios: BenchRatio[]): Promise<void> {
  const impls: [string, URL, Record<string, string>][] = [
    [RAW_PINGPONG, PINGPONG_BODY, {}],
    ...LOCK_NAMES.map((lock): [string, URL, Record<string, string>] => [lock, HANDOFF_BODY, { lock }]),
  ];
  const samples = new Map<string, number[]>();
  for (let rep = 1; rep <= p.reps; rep++) {
    for (const [impl, body, params] of impls) {
      const r = await runWorkers({
        body,
        workers: 2,
        durationMs: p.durationMs,
        shared: lockBuffer(3),
        params,
        batch: 16,
      });
      const us = (r.elapsedMs * 1000) / r.totalOps;
      samples.set(impl, [...(samples.get(impl) ?? []), us]);
      ctx.log(`${HANDOFF} ${impl} (rep ${rep}/${p.reps}): ${us.toFixed(2)} µs per handoff`);
    }
  }
  const med = (impl: string): number => median(samples.get(impl) ?? []);
  for (const [impl] of impls) {
    rows.push({
      case: HANDOFF,
      impl,
      value: med(impl),
      unit: 'µs',
      higherIsBetter: false,
      params: { workers: 2 },
    });
  }
  ratios.push({
    label: `handoff latency, threadkit / ${RAW_PINGPONG}`,
    value: med('threadkit') / med(RAW_PINGPONG),
  });
  ratios.push({
    label: 'handoff latency, threadkit / naive futex',
    value: med('threadkit') / med('naive futex'),
  });
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
