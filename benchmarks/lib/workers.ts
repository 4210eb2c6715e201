// The multi-thread harness: start N workers that each run a benchmark body, release them together
// through a start barrier (Atomics), let them run for a fixed duration, stop them, collect their ops.
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { CONTROL_SLOTS, START, STOP, type WorkerInit, type WorkerReport } from './control.js';

export interface WorkerRunOptions {
  /** URL of the body module (default export: a WorkerBodyFactory from ./worker-body.ts). */
  readonly body: URL;
  readonly workers: number;
  /** How long the measured phase lasts. */
  readonly durationMs: number;
  /** Memory handed to every worker (for the lock under test, counters, ...). */
  readonly shared: SharedArrayBuffer;
  readonly params?: Readonly<Record<string, number | string>>;
  /**
   * Operations between two looks at the stop flag; small enough that a worker notices STOP quickly.
   * @default 64
   */
  readonly batch?: number;
  /**
   * Give up (terminate the workers and throw) if the run has not finished this long after STOP.
   * @default 10_000
   */
  readonly stopTimeoutMs?: number;
  /**
   * Give up (terminate the workers and throw) if they are not all at the start barrier this long after
   * being started. Every worker registers tsx and compiles its modules first (a few hundred ms of CPU
   * each), so 128 workers on 2 busy cores take tens of seconds; a hung setup must still end.
   * @default 30_000 + 500 per worker
   */
  readonly startTimeoutMs?: number;
}

export interface WorkerRunResult {
  /** One report per worker, ordered by index. */
  readonly reports: WorkerReport[];
  readonly totalOps: number;
  /** From the first worker passing the start barrier to the last one seeing STOP. */
  readonly elapsedMs: number;
  readonly opsPerSec: number;
}

// Workers are started from an eval'd bootstrap that registers tsx first: on Node 20 a worker does not
// inherit the parent's `--import tsx` hooks, so it could not load the .ts entry directly.
const TSX_API = import.meta.resolve('tsx/esm/api');
const ENTRY = new URL('./worker-entry.ts', import.meta.url).href;
const BOOTSTRAP = `import(${JSON.stringify(TSX_API)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(ENTRY)}); });`;

/** Runs `options.body` on `options.workers` threads in lockstep for `options.durationMs`. */
export async function runWorkers(options: WorkerRunOptions): Promise<WorkerRunResult> {
  const { workers: n, durationMs, shared } = options;
  const batch = options.batch ?? 64;
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * Int32Array.BYTES_PER_ELEMENT));
  const reports: (WorkerReport | undefined)[] = new Array<WorkerReport | undefined>(n).fill(undefined);
  const threads: Worker[] = [];

  let fail: (e: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => {}); // observed through Promise.race below

  const ready: Promise<void>[] = [];
  const done: Promise<void>[] = [];
  for (let index = 0; index < n; index++) {
    const init: WorkerInit = {
      body: options.body.href,
      index,
      workers: n,
      batch,
      control: control.buffer,
      shared,
      params: options.params ?? {},
    };
    const w = new Worker(BOOTSTRAP, { eval: true, workerData: init });
    threads.push(w);
    let onReady: () => void = () => {};
    let onDone: () => void = () => {};
    ready.push(new Promise((resolve) => (onReady = resolve)));
    done.push(new Promise((resolve) => (onDone = resolve)));
    w.on('message', (m: { type: 'ready' } | { type: 'report'; report: WorkerReport }) => {
      if (m.type === 'ready') onReady();
      else {
        reports[index] = m.report;
        onDone();
      }
    });
    w.on('error', (e) => fail(e));
    w.on('exit', (code) => {
      if (reports[index] === undefined)
        fail(new Error(`benchmark worker ${index} exited (code ${code}) without a report`));
    });
  }

  const cancelWatchdog = new AbortController();
  /** Rejects after `ms` unless the run ended first (the finally block cancels it). */
  const watchdog = (ms: number, what: (ms: number) => string): Promise<never> => {
    const p = sleep(ms, undefined, { signal: cancelWatchdog.signal }).then(() => {
      throw new Error(`benchmark workers ${what(ms)} (${options.body.href})`);
    });
    p.catch(() => {}); // cancelled on success; otherwise observed through the race
    return p;
  };
  try {
    const startTimeoutMs = options.startTimeoutMs ?? 30_000 + 500 * n;
    await Promise.race([
      Promise.all(ready),
      failed,
      watchdog(startTimeoutMs, (ms) => `were not all at the start barrier within ${ms} ms (${n} started)`),
    ]);
    // Release the barrier: every worker is asleep on START == 0 (or about to re-check it).
    Atomics.store(control, START, 1);
    Atomics.notify(control, START);
    await Promise.race([sleep(durationMs), failed]);
    Atomics.store(control, STOP, 1);
    const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    await Promise.race([
      Promise.all(done),
      failed,
      watchdog(stopTimeoutMs, (ms) => `did not stop within ${ms} ms of STOP`),
    ]);
  } finally {
    cancelWatchdog.abort();
    await Promise.all(threads.map((w) => w.terminate()));
  }

  const final = reports.map((r, i) => {
    if (r === undefined) throw new Error(`benchmark worker ${i} sent no report`);
    return r;
  });
  const totalOps = final.reduce((sum, r) => sum + r.ops, 0);
  const elapsedMs = Math.max(...final.map((r) => r.stoppedAt)) - Math.min(...final.map((r) => r.startedAt));
  return { reports: final, totalOps, elapsedMs, opsPerSec: (totalOps / elapsedMs) * 1000 };
}
