// The contract between the benchmark runner (benchmarks/run.ts) and each benchmarks/<module>.bench.ts.
// A bench module's default export is a BenchSuite.

export interface BenchContext {
  /** `--full`: sizes meant for big machines; otherwise a few minutes in all on 2 cores. */
  readonly full: boolean;
  /**
   * `--smoke`: every duration, repetition and iteration count cut to the least that still runs each
   * case end to end (worker counts stay those of the profile), to test the harness in seconds. The
   * numbers mean nothing; the runner does not write them into benchmarks/results/.
   */
  readonly smoke: boolean;
  /**
   * `availableParallelism()` of this machine, or the simulated count given with `--cores N` (then the
   * worker counts are those of an N-core machine while the threads share this one's cores).
   */
  readonly cores: number;
  /** Prints one progress line (the runner prefixes the suite name). */
  log(line: string): void;
}

/** One measurement. */
export interface BenchRow {
  /** What is measured, e.g. 'uncontended lock+unlock' or 'contended throughput'. */
  readonly case: string;
  /** Who is measured, e.g. 'threadkit', 'naive futex', 'piscina'. */
  readonly impl: string;
  readonly value: number;
  /** e.g. 'ops/s', 'ms', 'tasks/s', 'x'. */
  readonly unit: string;
  readonly higherIsBetter: boolean;
  /** Extra coordinates, e.g. { workers: 4 }. */
  readonly params?: Readonly<Record<string, number | string>>;
}

/** A headline ratio against a baseline or peer measured in the same run. */
export interface BenchRatio {
  readonly label: string;
  readonly value: number;
  /** Unit of `value` when it is not a ratio, e.g. 'ms'. Optional; the default is 'x'. */
  readonly unit?: string;
  /** The target as text, e.g. '<= 1.5x' */
  readonly target?: string;
  readonly pass?: boolean;
  /** Why this comparison was not measured (e.g. the peer does not load here); `value` is NaN then. */
  readonly skipped?: string;
}

/** A line chart drawn into BENCHMARKS.md: one series per impl, x from a numeric param. */
export interface BenchChart {
  readonly title: string;
  readonly case: string;
  readonly xParam: string;
  readonly yLabel: string;
}

export interface BenchResult {
  readonly rows: BenchRow[];
  readonly ratios: BenchRatio[];
  readonly charts?: BenchChart[];
  /**
   * What a reader needs to judge the comparisons (how the implementations differ in what they do),
   * one paragraph each, printed under the section's heading in BENCHMARKS.md.
   */
  readonly notes?: readonly string[];
}

export interface BenchSuite {
  /** Module name: 'mutex', 'thread', 'threadlocal', ... */
  readonly name: string;
  run(ctx: BenchContext): Promise<BenchResult>;
}
