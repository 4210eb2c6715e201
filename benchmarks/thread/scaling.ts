// CPU-bound scaling for benchmarks/thread.bench.ts: the same busy loop on 1, 2, 4, ... N threads
// (powers of two and N itself), through ThreadPool and through raw Workers (the platform's own scaling
// on this machine right now), in interleaved rounds; the best round of each counts (the least
// disturbed by other load). Every runner stays alive for the rounds, so the thread count is the sum of
// the sizes times two impls: at most 4·N with powers of two, where every size from 1 to N would be
// N·(N+1) (4160 threads on 64 cores, and 64 sizes × rounds of the busy loop).
import { Worker } from 'node:worker_threads';
import { ThreadPool } from 'threadkit/thread';
import { workerCounts } from '../lib/stats.js';

function spin(iterations: number): number {
  let x = 0;
  for (let i = 0; i < iterations; i++) x = (x + i * 7) % 1_000_003;
  return x;
}

/** Runs `spin(work)` once on each of `size` threads, resolving when all are done. */
type Runner = { run(work: number): Promise<unknown>; stop(): Promise<unknown> };

function threadkit(size: number): Runner {
  const pool = new ThreadPool({ size });
  return {
    run: (work) => Promise.all(Array.from({ length: size }, () => pool.run(spin, { args: [work] }))),
    stop: () => pool.close(),
  };
}

function rawWorkers(size: number): Runner {
  const source = `const { parentPort } = require('node:worker_threads'); const spin = ${spin.toString()};
    parentPort.on('message', (n) => parentPort.postMessage(spin(n)));`;
  const workers = Array.from({ length: size }, () => new Worker(source, { eval: true }));
  const once = (w: Worker, work: number) =>
    new Promise((resolve) => {
      w.once('message', resolve);
      w.postMessage(work);
    });
  return {
    run: (work) => Promise.all(workers.map((w) => once(w, work))),
    stop: () => Promise.all(workers.map((w) => w.terminate())),
  };
}

/** Thread counts measured: powers of two up to `cores`, and `cores` (the last one). */
export function scalingSizes(cores: number): number[] {
  return workerCounts(cores, cores);
}

/**
 * Speedup on each of {@link scalingSizes} threads for each impl, `threads * best(1) / best(threads)`,
 * in the order of the sizes.
 */
export async function measureScaling(
  cores: number,
  work: number,
  rounds: number,
  log: (line: string) => void,
): Promise<Map<string, { threads: number; speedup: number }[]>> {
  const impls = { threadkit, 'raw Worker': rawWorkers };
  const sizes = scalingSizes(cores);
  const runners = Object.entries(impls).flatMap(([impl, make]) =>
    sizes.map((size) => ({ impl, size, runner: make(size), best: Infinity })),
  );
  for (const r of runners) await r.runner.run(1e6); // started and compiled
  for (let round = 0; round < rounds; round++) {
    for (const r of runners) {
      const t0 = performance.now();
      await r.runner.run(work);
      r.best = Math.min(r.best, performance.now() - t0);
    }
  }
  await Promise.all(runners.map((r) => r.runner.stop()));
  const speedups = new Map<string, { threads: number; speedup: number }[]>();
  for (const impl of Object.keys(impls)) {
    const mine = runners.filter((r) => r.impl === impl);
    const single = mine[0]!.best;
    speedups.set(
      impl,
      mine.map((r) => ({ threads: r.size, speedup: (r.size * single) / r.best })),
    );
    log(
      `${impl}: best ${mine.map((r) => `${r.best.toFixed(0)} ms on ${r.size}`).join(', ')} (${work} iterations per thread)`,
    );
  }
  return speedups;
}
