// balance: why locks exist. Two threads change one shared balance 100 000 times each, one adding 1 and
// the other subtracting 1, so it should end at 0. `balance[0] = balance[0] + 1` is a read, an add and a
// write: when both threads interleave those steps, updates are lost and the balance drifts. Holding a
// Mutex around each change makes it exact. (Python's classic `threading.Lock` example.)
//
// Run: npm run example balance
import { Mutex } from 'threadkit/mutex';
import { Thread } from 'threadkit/thread';

const TIMES = Number(process.env.TIMES ?? 100_000);

/** Changes the balance `times` times by `delta`; with a mutex, each change holds it. */
function change(balance: Int32Array, gate: Int32Array, delta: number, times: number, mutex?: Mutex): void {
  // A start gate, so that the two threads really run at the same time: each arrives, then spins
  // until both have arrived (starting a worker takes far longer than 100 000 additions).
  Atomics.add(gate, 0, 1);
  while (Atomics.load(gate, 0) < 2);
  for (let i = 0; i < times; i++) {
    if (mutex) {
      mutex.lock();
      balance[0] = balance[0]! + delta;
      mutex.unlock();
    } else {
      balance[0] = balance[0]! + delta; // not atomic: read, add, write
    }
  }
}

async function run(mutex?: Mutex): Promise<number> {
  const balance = new Int32Array(new SharedArrayBuffer(4));
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const threads = [+1, -1].map((delta) =>
    new Thread(change, { args: [balance, gate, delta, TIMES, mutex] }).start(),
  );
  await Promise.all(threads.map((t) => t.join()));
  return balance[0]!;
}

const unlocked = await run();
console.log(
  `without a lock: balance = ${unlocked}${unlocked === 0 ? ' (lucky this time)' : ' (lost updates)'}`,
);

const locked = await run(new Mutex());
console.log(`with a Mutex:   balance = ${locked}`);
