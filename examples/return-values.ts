// return-values: three ways to get results back from threads.
//   1. `join()`: a Thread's target returns a value (or a promise); `await thread.join()` gives it, and
//      rethrows the target's error with its class and both stacks.
//   2. A shared queue that threads push results into. threadkit has no Queue yet, so this uses a
//      Mutex-guarded SharedArrayBuffer ring: a Mutex, a head and a tail index, and Float64 slots.
//   3. `ThreadPool.map`: one call, results in input order, workers reused.
//
// Run: npm run example return-values
import { Mutex } from 'threadkit/mutex';
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

// 2. A shared queue: a ring of CAPACITY Float64 slots after two Int32 indexes, guarded by a Mutex.
const CAPACITY = 8;
const HEAD = 0; // next slot to read (consumer)
const TAIL = 1; // next slot to write (producers)
const ring = new SharedArrayBuffer(8 + CAPACITY * 8);
const queueLock = new Mutex();

/** A producer: computes its part and puts it on the queue (the Mutex makes the put atomic). */
function produce(ring: SharedArrayBuffer, lock: Mutex, capacity: number, from: number, to: number): void {
  let sum = 0;
  for (let i = from; i < to; i++) sum += i * i;
  const index = new Int32Array(ring, 0, 2);
  const slots = new Float64Array(ring, 8, capacity);
  lock.withLock(() => {
    const tail = index[1]!; // TAIL (the constants above are not in scope inside a thread)
    if (tail - index[0]! === capacity) throw new Error('queue full');
    slots[tail % capacity] = sum;
    index[1] = tail + 1;
  });
}

/** The consumer: takes one value off the queue, or `undefined` when it is empty. */
function take(): number | undefined {
  const index = new Int32Array(ring, 0, 2);
  const slots = new Float64Array(ring, 8, CAPACITY);
  return queueLock.withLock(() => {
    const head = index[HEAD]!;
    if (head === index[TAIL]) return undefined;
    index[HEAD] = head + 1;
    return slots[head % CAPACITY];
  });
}

const producers = [0, 1, 2, 3].map((k) =>
  new Thread(produce, { args: [ring, queueLock, CAPACITY, (k * N) / 4, ((k + 1) * N) / 4] }).start(),
);
await Promise.all(producers.map((t) => t.join()));
let total = 0;
let count = 0;
for (let value = take(); value !== undefined; value = take()) {
  total += value;
  count++;
}
console.log(`shared queue:    ${count} results, total ${total} (${total === expected})`);

// 3. ThreadPool.map: the pool ships the function once per worker and returns results in order.
await using pool = new ThreadPool({ size: 2 });
const squares = await pool.map((n: number) => n * n, [1, 2, 3, 4, 5]);
console.log(`ThreadPool.map:  ${squares.join(', ')}`);
