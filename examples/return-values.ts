// return-values: three ways to get results back from threads.
//   1. `join()`: a Thread's target returns a value (or a promise); `await thread.join()` gives it, and
//      rethrows the target's error with its class and both stacks.
//   2. A `Queue` that threads put results into and the main thread gets them from (`getAsync`, or
//      `for await` when the producers close it).
//   3. `ThreadPool.map`: one call, results in input order, workers reused.
//
// Run: npm run example return-values
import { Queue } from 'threadkit/queue';
import { Thread, ThreadPool } from 'threadkit/thread';

/** Sum of i*i for i in [from, to): the work each thread does. */
function sumOfSquares(from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += i * i;
  return sum;
}

const N = 200_000; // small enough that every sum is an exact integer in a double
const expected = sumOfSquares(0, N);

// 1. join(): each thread's target returns its part.
const halves = [
  new Thread(sumOfSquares, { args: [0, N / 2] }),
  new Thread(sumOfSquares, { args: [N / 2, N] }),
];
for (const t of halves) t.start();
const parts = await Promise.all(halves.map((t) => t.join()));
console.log(
  `join():          ${parts.join(' + ')} = ${parts[0]! + parts[1]!} (${parts[0]! + parts[1]! === expected})`,
);

// 2. A shared Queue: threads put their results, the main thread gets them. Values are copied through
//    the queue's shared memory, so it works the same between any threads, in any direction.
const results = new Queue<number>(8);

/** A producer: computes its part and puts it on the queue (blocking while the queue is full). */
function produce(results: Queue<number>, from: number, to: number): void {
  let sum = 0;
  for (let i = from; i < to; i++) sum += i * i;
  results.put(sum);
}

const producers = [0, 1, 2, 3].map((k) =>
  new Thread(produce, { args: [results, (k * N) / 4, ((k + 1) * N) / 4] }).start(),
);
let total = 0;
for (let count = 0; count < producers.length; count++) total += await results.getAsync();
await Promise.all(producers.map((t) => t.join()));
console.log(`shared queue:    ${producers.length} results, total ${total} (${total === expected})`);

// 3. ThreadPool.map: the pool ships the function once per worker and returns results in order.
await using pool = new ThreadPool({ size: 2 });
const squares = await pool.map((n: number) => n * n, [1, 2, 3, 4, 5]);
console.log(`ThreadPool.map:  ${squares.join(', ')}`);
