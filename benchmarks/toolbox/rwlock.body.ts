// Worker body: read-heavy access to a 16-int table, one write in 16 ops. params: impl.
import { Mutex } from 'threadkit/mutex';
import { RwLock } from 'threadkit/rwlock';
import { defineBody, stringParam } from '../lib/worker-body.js';
import { requireMultithreading } from './multithreading.js';
import { NaiveRwLock } from './naive.js';

// Int32 index of the table: the first 32-byte boundary after the lock's slots (8 while RwLock.BYTES
// was 20, as before the lock grew a holder table).
const TABLE = Math.ceil(RwLock.BYTES / 32) * 8;
const SIZE = 16;

interface Rw {
  read(fn: () => void): void;
  write(fn: () => void): void;
}

async function open(impl: string, shared: SharedArrayBuffer): Promise<Rw> {
  if (impl === 'multithreading') {
    const { RwLock: MtRwLock } = await requireMultithreading();
    const l = new MtRwLock(undefined, shared); // its state is slot 0
    return {
      read: (fn) => {
        const g = l.blockingRead();
        fn();
        g.dispose();
      },
      write: (fn) => {
        const g = l.blockingWrite();
        fn();
        g.dispose();
      },
    };
  }
  if (impl === 'naive') {
    const l = new NaiveRwLock(new Int32Array(shared), 0);
    return {
      read: (fn) => (l.readLock(), fn(), l.readUnlock()),
      write: (fn) => (l.writeLock(), fn(), l.writeUnlock()),
    };
  }
  if (impl === 'mutex') {
    const m = Mutex.from({ buffer: shared, byteOffset: 0 });
    return { read: (fn) => m.withLock(fn), write: (fn) => m.withLock(fn) };
  }
  const l = RwLock.from({ buffer: shared, byteOffset: 0 });
  // try/finally rather than `using`: compiled for Node 20 (tsx/esbuild), `using` builds a disposal
  // stack and two closures per block, ~45 ns per lock (as much as an uncontended lock + unlock), which
  // the Mutex's withLock() and the naive lock do not pay. A `using` measures the compiler, not the lock.
  return {
    read: (fn) => {
      const g = l.readLock();
      try {
        fn();
      } finally {
        g.unlock();
      }
    },
    write: (fn) => {
      const g = l.writeLock();
      try {
        fn();
      } finally {
        g.unlock();
      }
    },
  };
}

export default defineBody(async (ctx) => {
  const lock = await open(stringParam(ctx, 'impl'), ctx.shared);
  const table = new Int32Array(ctx.shared, TABLE * 4, SIZE);
  let sum = 0;
  const read = () => {
    for (let i = 0; i < SIZE; i++) sum += table[i]!;
  };
  const write = () => {
    for (let i = 0; i < SIZE; i++) table[i]!++;
  };
  let op = ctx.index;
  return {
    run(n) {
      for (let i = 0; i < n; i++) {
        if ((op++ & 15) === 0) lock.write(write);
        else lock.read(read);
      }
    },
    stats: () => ({ sum: sum & 0xffff }),
  };
});
