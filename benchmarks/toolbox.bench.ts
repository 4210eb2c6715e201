// Toolbox benchmarks (issue 5): each primitive against a naive hand-written Atomics version (and the
// RwLock against the Mutex too), measured side by side in one run, in an order that rotates from round
// to round; Semaphore, Barrier and RwLock also against the `multithreading` package when it loads
// (./toolbox/multithreading.ts), else reported as skipped with the reason.
//   1. semaphore: contended acquire+release throughput, permits = workers / 2
//   2. barrier: generations per second (every worker passes once per generation)
//   3. rwlock: read-heavy throughput (15 reads of a 16-int table per write)
//   4. queue: round trips and a one-way stream of small objects, against a MessagePort
//   5. event: set/wait ping-pong between two workers (round trips per second)
//   6. latch: rounds per second of N-1 workers counting down while one waits
//   7. condition: producer/consumer handoff through a one-slot mailbox (Mutex + two Conditions)
//   8. once: run() after done on one thread, and rounds per second of N workers racing a fresh once
import { Barrier } from 'threadkit/barrier';
import { Condition } from 'threadkit/condition';
import { Event } from 'threadkit/event';
import { CountDownLatch } from 'threadkit/latch';
import { Mutex } from 'threadkit/mutex';
import { Once } from 'threadkit/once';
import { RwLock } from 'threadkit/rwlock';
import { Semaphore } from 'threadkit/semaphore';
import type { BenchContext, BenchRatio, BenchRow, BenchSuite } from './lib/types.js';
import { median, workerCounts } from './lib/stats.js';
import { runWorkers } from './lib/workers.js';
import { MUTEX, NOT_EMPTY, NOT_FULL } from './toolbox/condition.body.js';
import { PING, PONG } from './toolbox/event.body.js';
import { PACKAGE as MT, loadMultithreading } from './toolbox/multithreading.js';
import { onceAfterDone } from './toolbox/once-micro.js';
import { queueVsPort } from './toolbox/queue-vs-port.js';

/** Memory each case gets: room for the largest primitive (RwLock, with its holder table) and its data. */
const SHARED_BYTES = 4096;

const SEMAPHORE = 'semaphore contended throughput';
const BARRIER = 'barrier generations';
const RWLOCK = 'rwlock read-heavy throughput';
const EVENT = 'event ping-pong';
const LATCH = 'latch rounds';
const CONDITION = 'condition producer/consumer handoff';
const ONCE = 'once first-run race';

interface Case {
  readonly name: string;
  readonly body: URL;
  readonly impls: readonly string[];
  readonly minWorkers: number;
  /** Only this many workers (a two-party protocol), instead of every count from minWorkers up. */
  readonly onlyWorkers?: number;
  /** Sets up the primitive in fresh shared memory, before the workers open it. */
  prepare(impl: string, shared: SharedArrayBuffer, workers: number): void;
  /** ops/s of all workers → the reported value. */
  readonly per: (opsPerSec: number, workers: number) => number;
  readonly unit: string;
  /** Why `multithreading` is not measured in this case even when it loads. */
  readonly mtSkip?: string;
  /** Throws if the workers' stats show a wrong result. */
  check?(stats: readonly Record<string, number>[]): void;
}

const CASES: readonly Case[] = [
  {
    name: SEMAPHORE,
    body: new URL('./toolbox/semaphore.body.ts', import.meta.url),
    impls: ['threadkit', 'naive', MT],
    minWorkers: 1,
    prepare(impl, shared, workers) {
      const permits = Math.max(1, workers >> 1);
      if (impl === 'naive' || impl === MT) new Int32Array(shared)[0] = permits;
      else new Semaphore(permits, { buffer: shared });
    },
    per: (ops) => ops,
    unit: 'acquire+release/s',
  },
  {
    name: BARRIER,
    body: new URL('./toolbox/barrier.body.ts', import.meta.url),
    impls: ['threadkit', 'naive', MT],
    minWorkers: 2,
    prepare(impl, shared, workers) {
      const i32 = new Int32Array(shared);
      if (impl === MT)
        i32[1] = i32[2] = workers; // its capacity and count
      else if (impl !== 'naive') new Barrier(workers, { buffer: shared });
    },
    per: (ops, workers) => ops / workers,
    unit: 'generations/s',
  },
  {
    name: RWLOCK,
    body: new URL('./toolbox/rwlock.body.ts', import.meta.url),
    impls: ['threadkit', 'threadkit Mutex', 'naive', MT],
    minWorkers: 1,
    prepare(impl, shared) {
      if (impl === 'threadkit') new RwLock({ buffer: shared });
      else if (impl === 'threadkit Mutex') new Mutex({ buffer: shared });
    },
    per: (ops) => ops,
    unit: 'ops/s',
  },
  {
    name: EVENT,
    body: new URL('./toolbox/event.body.ts', import.meta.url),
    impls: ['threadkit', 'naive'],
    minWorkers: 2,
    onlyWorkers: 2,
    prepare(impl, shared) {
      if (impl === 'naive') return;
      new Event({ buffer: shared, byteOffset: PING });
      new Event({ buffer: shared, byteOffset: PONG });
    },
    per: (ops, workers) => ops / workers,
    unit: 'round trips/s',
  },
  {
    name: LATCH,
    body: new URL('./toolbox/latch.body.ts', import.meta.url),
    impls: ['threadkit', 'naive'],
    minWorkers: 2,
    prepare(impl, shared, workers) {
      if (impl === 'naive') new Int32Array(shared)[0] = workers - 1;
      else new CountDownLatch(workers - 1, { buffer: shared });
    },
    per: (ops, workers) => ops / workers,
    unit: 'rounds/s',
  },
  {
    name: CONDITION,
    body: new URL('./toolbox/condition.body.ts', import.meta.url),
    impls: ['threadkit', 'naive'],
    minWorkers: 2,
    mtSkip: `${MT}'s Mutex and Condvar each need a SharedArrayBuffer of their own (no byteOffset), and the harness gives a body one`,
    prepare(impl, shared) {
      if (impl === 'naive') return;
      const mutex = new Mutex({ buffer: shared, byteOffset: MUTEX });
      new Condition(mutex, { buffer: shared, byteOffset: NOT_FULL });
      new Condition(mutex, { buffer: shared, byteOffset: NOT_EMPTY });
    },
    per: (ops) => ops,
    unit: 'items/s',
  },
  {
    name: ONCE,
    body: new URL('./toolbox/once.body.ts', import.meta.url),
    impls: ['threadkit', 'naive'],
    minWorkers: 2,
    prepare(impl, shared) {
      if (impl !== 'naive') new Once({ buffer: shared });
    },
    per: (ops, workers) => ops / workers,
    unit: 'rounds/s',
    check(stats) {
      // Every round ran the init exactly once; the last round may be cut short by STOP.
      const inits = stats.reduce((sum, s) => sum + (s['inits'] ?? 0), 0);
      const rounds = Math.max(...stats.map((s) => s['rounds'] ?? 0));
      if (inits < rounds - 1 || inits > rounds) throw new Error(`once: ${inits} inits in ${rounds} rounds`);
    },
  },
];

const NOTES = [
  'The naive baselines (benchmarks/toolbox/naive.ts) are what a careful hand-written Atomics version ' +
    'looks like: each one sleeps in Atomics.wait rather than spinning (the barrier is a generation ' +
    'barrier: the last arrival bumps the generation and wakes everyone), without the refinements of ' +
    "threadkit's (such as a notify skipped when nobody waits, a short spin before sleeping where it " +
    'pays, a rwlock that does not starve writers).',
  'rwlock case: every access releases explicitly (the RwLock in try/finally, the Mutex through ' +
    'withLock(), which does the same), not with `using`: compiled for Node 20, `using` costs ~45 ns ' +
    'per block, as much as the lock itself. The RwLock also records each read lock in its holder ' +
    'table (a plain write per lock and unlock), so that the read locks of a dead thread are given back.',
  'For each case and worker count the implementations run one after another, and the one that goes ' +
    'first changes from one round to the next, so that load from elsewhere hits them alike.',
  `Peers: ${MT}'s Semaphore, Barrier and RwLock, where it loads (Node 21 and later). @esfx/threading ` +
    '(a Semaphore, CountdownEvent, Manual/AutoResetEvent and ConditionVariable on SharedArrayBuffer) ' +
    'would fit the semaphore, latch, event and condition cases, but the npm registry has no such ' +
    'package (nor its @esfx/threading-* parts), so it cannot be installed to measure. threads.js has ' +
    'no synchronization primitives; its pool is in the thread suite.',
];

const bodyImpl = (impl: string): string => (impl === 'threadkit Mutex' ? 'mutex' : impl);

const suite: BenchSuite = {
  name: 'toolbox',
  async run(ctx: BenchContext) {
    const durationMs = ctx.smoke ? 20 : ctx.full ? 1500 : 400;
    const reps = ctx.full && !ctx.smoke ? 3 : 1;
    const counts = workerCounts(ctx.cores, ctx.full ? Math.max(2 * ctx.cores, 16) : Math.max(ctx.cores, 4));
    const rows: BenchRow[] = [];
    const ratios: BenchRatio[] = [];
    const mt = await loadMultithreading();
    if ('skipped' in mt) ctx.log(`skipping ${MT}: ${mt.skipped}`);
    let round = 0;
    for (const c of CASES) {
      const mtSkip = c.mtSkip ?? ('skipped' in mt ? mt.skipped : undefined);
      if (mtSkip !== undefined && (c.impls.includes(MT) || c.mtSkip !== undefined)) {
        ratios.push({ label: `${c.name} vs ${MT}`, value: NaN, skipped: mtSkip });
      }
      const impls = c.impls.filter((impl) => impl !== MT || mtSkip === undefined);
      const sizes = c.onlyWorkers !== undefined ? [c.onlyWorkers] : counts.filter((n) => n >= c.minWorkers);
      for (const workers of sizes) {
        const runs = new Map<string, number[]>(impls.map((impl) => [impl, []]));
        for (let r = 0; r < reps; r++) {
          // Implementations take turns going first (round counts across cases and worker counts, so the
          // order changes even with one repetition), so load from elsewhere hits them alike.
          const order = impls.map((_, i) => impls[(i + round) % impls.length]!);
          round++;
          for (const impl of order) {
            const shared = new SharedArrayBuffer(SHARED_BYTES);
            c.prepare(impl, shared, workers);
            const res = await runWorkers({
              body: c.body,
              workers,
              durationMs,
              shared,
              params: { impl: bodyImpl(impl) },
            });
            c.check?.(res.reports.map((r) => r.stats));
            runs.get(impl)!.push(c.per(res.opsPerSec, workers));
          }
        }
        const value = new Map<string, number>();
        for (const impl of impls) {
          const v = median(runs.get(impl)!);
          value.set(impl, v);
          rows.push({
            case: c.name,
            impl,
            value: v,
            unit: c.unit,
            higherIsBetter: true,
            params: { workers },
          });
          ctx.log(`${c.name} ${impl} @${workers}: ${Math.round(v).toLocaleString('en')} ${c.unit}`);
        }
        const tk = value.get('threadkit') ?? NaN;
        ratios.push({
          label: `${c.name} vs naive @${workers} workers`,
          value: tk / (value.get('naive') ?? NaN),
        });
        if (value.has(MT)) {
          ratios.push({ label: `${c.name} vs ${MT} @${workers} workers`, value: tk / value.get(MT)! });
        }
        if (value.has('threadkit Mutex')) {
          ratios.push({
            label: `${c.name} vs Mutex @${workers} workers`,
            value: tk / value.get('threadkit Mutex')!,
          });
        }
      }
    }
    const queue = await queueVsPort(ctx.full, ctx.smoke, (line) => ctx.log(line));
    rows.push(...queue.rows);
    ratios.push(...queue.ratios);
    const once = await onceAfterDone(ctx.full, ctx.smoke, (line) => ctx.log(line));
    rows.push(...once.rows);
    ratios.push(...once.ratios);
    return {
      rows,
      ratios,
      notes: NOTES,
      charts: CASES.map((c) => ({ title: c.name, case: c.name, xParam: 'workers', yLabel: c.unit })),
    };
  },
};
export default suite;
