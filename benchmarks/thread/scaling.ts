// CPU-bound scaling for benchmarks/thread.bench.ts: the same busy loop on 1..N threads, through
// ThreadPool and through raw Workers (the platform's own scaling on this machine right now), in
// interleaved rounds; the best round of each counts (the least disturbed by other load).
import { Worker } from 'node:worker_threads';
import { ThreadPool } from 'threadkit/thread';

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

/** Speedup on 1..cores threads for each impl: `threads * best(1) / best(threads)`. */
export async function measureScaling(
  cores: number,
  work: number,
  rounds: number,
  log: (line: string) => void,
): Promise<Map<string, number[]>> {
  const impls = { threadkit, 'raw Worker': rawWorkers };
  const sizes = Array.from({ length: cores }, (_, i) => i + 1);
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
  const speedups = new Map<string, number[]>();
  for (const impl of Object.keys(impls)) {
    const mine = runners.filter((r) => r.impl === impl);
    const single = mine[0]!.best;
    speedups.set(
      impl,
      mine.map((r) => (r.size * single) / r.best),
    );
    log(
      `${impl}: best ${mine.map((r) => `${r.best.toFixed(0)} ms on ${r.size}`).join(', ')} (${work} iterations per thread)`,
    );
  }
  return speedups;
}
