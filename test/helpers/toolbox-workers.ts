// Runs fixture workers (test/fixtures/toolbox/*.mjs, which import the BUILT package by name) under a
// watchdog: a hung worker fails the test fast instead of hanging the run.
import { Worker } from 'node:worker_threads';

export interface RunOptions {
  /** Fail (and terminate every worker) if they have not all finished by then. */
  readonly watchdogMs?: number;
}

/** Starts one worker per `data` entry and resolves with each worker's posted result, in order. */
export async function runWorkers<R = unknown>(
  fixture: string,
  data: readonly unknown[],
  options: RunOptions = {},
): Promise<R[]> {
  const url = new URL(`../fixtures/toolbox/${fixture}`, import.meta.url);
  const workers = data.map((workerData) => new Worker(url, { workerData }));
  const done = workers.map(
    (w) =>
      new Promise<R>((resolve, reject) => {
        let result: { value: R } | undefined;
        w.on('message', (value: R) => (result = { value }));
        w.on('error', reject);
        w.on('exit', (code) =>
          result ? resolve(result.value) : reject(new Error(`worker exited (${code}) without a result`)),
        );
      }),
  );
  return withWatchdog(Promise.all(done), options.watchdogMs ?? 10_000, `${fixture} workers`, () => {
    for (const w of workers) void w.terminate();
  });
}

/** Rejects if `promise` has not settled within `ms`, running `onHang` first. */
export async function withWatchdog<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  onHang?: () => void,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onHang?.();
      reject(new Error(`watchdog: ${what} did not finish within ${ms} ms (lost wake-up or deadlock?)`));
    }, ms);
  });
  try {
    return await Promise.race([promise, watchdog]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
