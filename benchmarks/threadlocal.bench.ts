// ThreadLocal against its baselines, in the same run: a raw AsyncLocalStorage (the floor for a value
// that follows async work) and a plain module variable (the floor for any value at all).
//
// Sync cases loop BATCH times per measured call, so Benchmark.js's per-call overhead does not hide
// the difference; the async case measures one run() around a chain of CHAIN awaits per call.
import { AsyncLocalStorage } from 'node:async_hooks';
import Benchmark from 'benchmark';
import { ThreadLocal } from 'threadkit/threadlocal';
import { SMOKE_MICRO } from './lib/micro.js';
import type { BenchContext, BenchResult, BenchRow, BenchSuite } from './lib/types.js';

const BATCH = 1_000;
const CHAIN = 100;
/** Alternating measurement rounds per case (the best of each impl counts). */
const ROUNDS = 3;
const CHAIN_CASE = `run() around ${CHAIN} awaits`;
const IMPLS = ['threadkit', 'raw AsyncLocalStorage', 'module variable'] as const;
type Impl = (typeof IMPLS)[number];

/** Ops per second of `fn` (each call does `opsPerCall` operations). */
function measure(
  fn: (deferred: Benchmark.Deferred) => void,
  opsPerCall: number,
  ctx: BenchContext,
  defer = false,
) {
  return new Promise<number>((resolve, reject) => {
    const bench = new Benchmark({
      fn,
      defer,
      ...(ctx.smoke ? SMOKE_MICRO : { maxTime: ctx.full ? 2 : 0.25, minSamples: ctx.full ? 20 : 5 }),
      onComplete: () => resolve(bench.hz * opsPerCall),
      onError: (event: Benchmark.Event) => {
        const error = (event.target as { error?: unknown }).error;
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    });
    bench.run({ async: true });
  });
}

/** Awaited once per step of the async chain: one microtask hop each. */
const resolved = Promise.resolve();

/** Keeps results alive so that the measured work cannot be optimized away. */
let sink = 0;

type Case = { fn: (d: Benchmark.Deferred) => void; ops: number; defer?: boolean };

// Every case spells out its own loop: a shared loop helper calling `body(i)` would make that call
// site megamorphic across cases and measure the call instead of the operation.
function cases(): Record<string, Record<Impl, Case>> {
  const tl = new ThreadLocal<number>();
  const als = new AsyncLocalStorage<{ value: number }>();
  let variable: number | undefined = 1;
  /** Runs each sync case inside a scope of both storages, so that both have a store to read. */
  const scoped = (body: () => void) => () => tl.run(1, () => als.run({ value: 1 }, body));
  const finish = (d: Benchmark.Deferred, p: Promise<void>) => void p.then(() => d.resolve());
  return {
    'get()': {
      threadkit: {
        fn: scoped(() => {
          for (let i = 0; i < BATCH; i++) sink += tl.get() ?? 0;
        }),
        ops: BATCH,
      },
      'raw AsyncLocalStorage': {
        fn: scoped(() => {
          for (let i = 0; i < BATCH; i++) sink += als.getStore()?.value ?? 0;
        }),
        ops: BATCH,
      },
      'module variable': {
        fn: scoped(() => {
          for (let i = 0; i < BATCH; i++) sink += variable ?? 0;
        }),
        ops: BATCH,
      },
    },
    'set()': {
      threadkit: {
        fn: scoped(() => {
          for (let i = 0; i < BATCH; i++) tl.set(i);
        }),
        ops: BATCH,
      },
      'raw AsyncLocalStorage': {
        fn: scoped(() => {
          for (let i = 0; i < BATCH; i++) als.getStore()!.value = i;
        }),
        ops: BATCH,
      },
      'module variable': {
        fn: scoped(() => {
          for (let i = 0; i < BATCH; i++) variable = i;
        }),
        ops: BATCH,
      },
    },
    'run()': {
      threadkit: {
        fn: scoped(() => {
          for (let i = 0; i < BATCH; i++) sink += tl.run(i, () => i);
        }),
        ops: BATCH,
      },
      'raw AsyncLocalStorage': {
        fn: scoped(() => {
          for (let i = 0; i < BATCH; i++) sink += als.run({ value: i }, () => i);
        }),
        ops: BATCH,
      },
      'module variable': {
        fn: scoped(() => {
          for (let i = 0; i < BATCH; i++) {
            const saved = variable;
            variable = i;
            try {
              sink += i;
            } finally {
              variable = saved;
            }
          }
        }),
        ops: BATCH,
      },
    },
    [CHAIN_CASE]: {
      threadkit: {
        fn: (d) =>
          finish(
            d,
            tl.run(1, async () => {
              for (let i = 0; i < CHAIN; i++) {
                await resolved;
                sink += tl.get() ?? 0;
              }
            }),
          ),
        ops: 1,
        defer: true,
      },
      'raw AsyncLocalStorage': {
        fn: (d) =>
          finish(
            d,
            als.run({ value: 1 }, async () => {
              for (let i = 0; i < CHAIN; i++) {
                await resolved;
                sink += als.getStore()?.value ?? 0;
              }
            }),
          ),
        ops: 1,
        defer: true,
      },
      'module variable': {
        fn: (d) =>
          finish(
            d,
            (async () => {
              for (let i = 0; i < CHAIN; i++) {
                await resolved;
                sink += variable ?? 0;
              }
            })(),
          ),
        ops: 1,
        defer: true,
      },
    },
  };
}

const RATIOS: { label: string; case: string }[] = [
  { label: 'get(): threadkit time / raw getStore() time', case: 'get()' },
  { label: 'run(): threadkit time / raw AsyncLocalStorage.run() time', case: 'run()' },
  {
    label: `run() + ${CHAIN} awaits: threadkit time / raw AsyncLocalStorage time`,
    case: `run() around ${CHAIN} awaits`,
  },
];
const TARGET = 1.5;

const suite: BenchSuite = {
  name: 'threadlocal',
  async run(ctx: BenchContext): Promise<BenchResult> {
    const rows: BenchRow[] = [];
    // Impls are measured in alternation, ROUNDS times, keeping each one's best: on a shared, noisy
    // machine a slow moment then hurts one sample rather than one impl.
    for (const [name, impls] of Object.entries(cases())) {
      const best = new Map<Impl, number>();
      for (let round = 0; round < (ctx.smoke ? 1 : ROUNDS); round++) {
        for (const impl of IMPLS) {
          const { fn, ops, defer } = impls[impl];
          best.set(impl, Math.max(best.get(impl) ?? 0, await measure(fn, ops, ctx, defer)));
        }
      }
      for (const impl of IMPLS) {
        const value = best.get(impl)!;
        ctx.log(`${name} ${impl}: ${Math.round(value).toLocaleString('en-US')} ops/s`);
        rows.push({ case: name, impl, value, unit: 'ops/s', higherIsBetter: true });
      }
    }
    if (sink === Number.MIN_VALUE) ctx.log('(unreachable; keeps results alive)');
    const hz = (c: string, impl: Impl) => rows.find((r) => r.case === c && r.impl === impl)?.value ?? NaN;
    const ratios = RATIOS.map(({ label, case: c }) => {
      const value = hz(c, 'raw AsyncLocalStorage') / hz(c, 'threadkit');
      const gated = c !== CHAIN_CASE;
      return { label, value, ...(gated ? { target: `<= ${TARGET}x`, pass: value <= TARGET } : {}) };
    });
    return { rows, ratios };
  },
};

export default suite;
