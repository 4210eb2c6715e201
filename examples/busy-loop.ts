// busy-loop: real parallelism. Python's threads share one interpreter lock, so N busy threads use
// one core; threadkit threads are worker threads, so N busy threads use N cores. This runs the same
// CPU-bound job on one thread, then on one thread per core, and prints the process's CPU use (from
// `process.cpuUsage()`, where 100% is one core fully busy) and the speedup.
//
// Run: npm run example busy-loop
import { availableParallelism } from 'node:os';
import { spawn } from 'threadkit/thread';

/** A CPU-bound job: counts the primes below `limit` by trial division. */
function countPrimes(limit: number): number {
  let count = 0;
  for (let n = 2; n < limit; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

const LIMIT = Number(process.env.LIMIT ?? 400_000);

/** Runs `threads` busy threads at once; returns the wall time and the CPU use over it. */
async function measure(threads: number): Promise<{ ms: number; cpuPercent: number }> {
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const results = await Promise.all(Array.from({ length: threads }, () => spawn(countPrimes, LIMIT).join()));
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  if (new Set(results).size !== 1) throw new Error(`threads disagree: ${results.join(', ')}`);
  return { ms, cpuPercent: ((cpu.user + cpu.system) / 1000 / ms) * 100 };
}

const cores = availableParallelism();
await measure(1); // warm-up: the first worker of a process starts slower

const one = await measure(1);
console.log(`1 busy thread:  ${one.ms.toFixed(0)} ms, CPU ${one.cpuPercent.toFixed(0)}%`);

const many = await measure(cores);
console.log(`${cores} busy threads: ${many.ms.toFixed(0)} ms, CPU ${many.cpuPercent.toFixed(0)}%`);

// The many-thread run did `cores` times the work; the speedup is the throughput ratio.
const speedup = (cores * one.ms) / many.ms;
console.log(`speedup: ${speedup.toFixed(2)}x on ${cores} cores (ideal ${cores}x)`);
