// Single-thread micro benchmarks on top of the `benchmark` package (benchmark.js), which takes care of
// warm-up, sample counts and the margin of error. Cases run one after another in one suite so they
// are measured side by side.
import Benchmark from 'benchmark';

export interface MicroCase {
  readonly name: string;
  /** The operation. Without `defer`, one call is one sample op. */
  readonly fn: () => void;
  /**
   * An async operation instead of `fn`: it must resolve when `opsPerCall` operations are done.
   * benchmark.js's deferred mode costs far more than one op, so batch many ops per call.
   */
  readonly defer?: () => Promise<void>;
  /**
   * How many operations one call performs; hz is multiplied by it.
   * @default 1
   */
  readonly opsPerCall?: number;
}

export interface MicroResult {
  readonly name: string;
  /** Operations per second. */
  readonly hz: number;
  /** Relative margin of error, in percent. */
  readonly rme: number;
  readonly samples: number;
}

export interface MicroOptions {
  /** Seconds of sampling per case (benchmark.js `maxTime`). */
  readonly maxTime: number;
  /**
   * Seconds one sample lasts at least (benchmark.js `minTime`).
   * @default benchmark.js's own (about 0.05 s)
   */
  readonly minTime?: number;
  /**
   * Samples per case at least (benchmark.js `minSamples`).
   * @default 5
   */
  readonly minSamples?: number;
  /** Called with one line per finished case. */
  readonly log: (line: string) => void;
}

/** Sampling for `--smoke` runs: each case runs a few calls, so the numbers are not measurements. */
export const SMOKE_MICRO = { maxTime: 0.005, minTime: 0.001, minSamples: 1 } as const;

/** Runs the cases with benchmark.js and returns ops/s for each, in order. */
export function runMicro(cases: readonly MicroCase[], options: MicroOptions): Promise<MicroResult[]> {
  const suite = new Benchmark.Suite();
  for (const c of cases) {
    const settings: Benchmark.Options = {
      maxTime: options.maxTime,
      minSamples: options.minSamples ?? 5,
      ...(options.minTime === undefined ? {} : { minTime: options.minTime }),
    };
    const defer = c.defer;
    if (defer !== undefined) {
      suite.add(c.name, {
        ...settings,
        defer: true,
        fn: (deferred: Benchmark.Deferred) => {
          defer().then(
            () => deferred.resolve(),
            (e: unknown) => options.log(`${c.name} failed: ${String(e)}`),
          );
        },
      });
    } else {
      suite.add(c.name, c.fn, settings);
    }
  }
  const results: MicroResult[] = [];
  return new Promise((resolve, reject) => {
    suite.on('cycle', (event: Benchmark.Event) => {
      // benchmark.js sets `error` on a failed case; @types/benchmark leaves it off the event target.
      const b = event.target as Benchmark.Target & { error?: unknown };
      const c = cases.find((x) => x.name === b.name);
      if (b.error !== undefined) {
        reject(
          b.error instanceof Error
            ? b.error
            : new Error(`benchmark case ${String(b.name)} failed`, { cause: b.error }),
        );
        return;
      }
      const hz = (b.hz ?? 0) * (c?.opsPerCall ?? 1);
      const rme = b.stats?.rme ?? 0;
      const samples = b.stats?.sample.length ?? 0;
      results.push({ name: String(b.name), hz, rme, samples });
      options.log(`${String(b.name)}: ${formatOps(hz)} ±${rme.toFixed(1)}% (${samples} samples)`);
    });
    suite.on('complete', () => resolve(results));
    suite.on('error', (event: Benchmark.Event) => {
      const { error } = event.target as { error?: unknown };
      reject(error instanceof Error ? error : new Error(`benchmark failed: ${String(error)}`));
    });
    suite.run({ async: true });
  });
}

/** 12345678 → '12.35 M ops/s'. */
export function formatOps(hz: number): string {
  if (hz >= 1e6) return `${(hz / 1e6).toFixed(2)} M ops/s`;
  if (hz >= 1e3) return `${(hz / 1e3).toFixed(2)} k ops/s`;
  return `${hz.toFixed(1)} ops/s`;
}
