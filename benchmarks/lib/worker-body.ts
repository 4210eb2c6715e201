// What a benchmark body module provides to the worker harness (benchmarks/lib/workers.ts).
// A body module's default export is a WorkerBodyFactory; it runs inside each worker and should import
// the library by its package name (`threadkit/mutex`), the way a consumer would.

/** Where a body runs: its worker's index, the memory all workers share, and the run's parameters. */
export interface WorkerBodyContext {
  /** 0 … workers-1. */
  readonly index: number;
  readonly workers: number;
  /** The buffer the suite created for this run; the same one in every worker. */
  readonly shared: SharedArrayBuffer;
  readonly params: Readonly<Record<string, number | string>>;
  /** Whether the run is over; for bodies that wait on each other and must not wait past the end. */
  stopped(): boolean;
}

/** One worker's share of a benchmark. */
export interface WorkerBody {
  /**
   * Performs `n` operations. Called repeatedly between the start barrier and STOP. A body that gives up
   * early once the run is stopped returns how many operations it completed (nothing counts as `n`).
   */
  run(n: number): void | number;
  /** Called once after STOP, before `stats`: release whatever another worker may be waiting on. */
  finish?(): void;
  /** Extra numbers reported for this worker, e.g. the longest wait it saw. */
  stats?(): Record<string, number>;
}

/** Sets a body up (before the start barrier; setup time is not measured). */
export type WorkerBodyFactory = (ctx: WorkerBodyContext) => WorkerBody | Promise<WorkerBody>;

/** Identity helper that gives a body module's default export its type. */
export function defineBody(factory: WorkerBodyFactory): WorkerBodyFactory {
  return factory;
}

/** Reads a numeric parameter, failing loudly if it is missing. */
export function numberParam(ctx: WorkerBodyContext, name: string): number {
  const v = ctx.params[name];
  if (typeof v !== 'number')
    throw new TypeError(`Expected param \`${name}\` to be a number, got ${String(v)}`);
  return v;
}

/** Reads a string parameter, failing loudly if it is missing. */
export function stringParam(ctx: WorkerBodyContext, name: string): string {
  const v = ctx.params[name];
  if (typeof v !== 'string')
    throw new TypeError(`Expected param \`${name}\` to be a string, got ${String(v)}`);
  return v;
}
