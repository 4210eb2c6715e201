// Single-thread cases for the uncontended cost of a lock, measured side by side with benchmark.js.
import { Mutex as AsyncMutex } from 'async-mutex';
import { Mutex } from 'threadkit/mutex';
import type { MicroCase } from '../lib/micro.js';
import { NaiveFutexLock } from './naive-futex-lock.js';

/** Case names, shared with the ratios in mutex.bench.ts. */
export const RAW = 'raw Atomics CAS + sub';
export const LOCK_UNLOCK = 'threadkit lock() + unlock()';
export const GUARD = 'threadkit lock().unlock() (guard)';
export const USING = 'threadkit using guard = lock() (dispose)';
export const TRY_LOCK = 'threadkit tryLock() + unlock()';
export const WITH_LOCK = 'threadkit withLock(fn)';
export const NAIVE = 'naive futex lock() + unlock()';
export const WITH_LOCK_ASYNC = 'threadkit withLockAsync(fn)';
export const RUN_EXCLUSIVE = 'async-mutex runExclusive(fn)';

/** Async cases run this many sequential awaited ops per benchmark.js call. */
const ASYNC_BATCH = 200;

export function uncontendedCases(): MicroCase[] {
  const raw = new Int32Array(new SharedArrayBuffer(4));
  const m = new Mutex();
  const naive = new NaiveFutexLock(new SharedArrayBuffer(4), 0);
  const am = new AsyncMutex();
  // Every critical section increments a counter, so no case is an empty loop the JIT could drop.
  let n = 0;
  const inc = (): number => ++n;

  return [
    {
      name: RAW,
      fn: () => {
        // What the naive futex lock does uncontended: acquire by CAS 0 → 1, release by sub 1 → 0.
        Atomics.compareExchange(raw, 0, 0, 1);
        n++;
        Atomics.sub(raw, 0, 1);
      },
    },
    {
      name: LOCK_UNLOCK,
      fn: () => {
        m.lock();
        n++;
        m.unlock();
      },
    },
    {
      name: GUARD,
      fn: () => {
        const g = m.lock();
        n++;
        g.unlock();
      },
    },
    {
      name: USING,
      fn: () => {
        // What a `using` block does at its end (called directly: the benchmark runner need not compile `using`).
        const g = m.lock();
        n++;
        g[Symbol.dispose]();
      },
    },
    {
      name: TRY_LOCK,
      fn: () => {
        if (m.tryLock() === null) throw new Error('uncontended tryLock() failed');
        n++;
        m.unlock();
      },
    },
    { name: WITH_LOCK, fn: () => void m.withLock(inc) },
    {
      name: NAIVE,
      fn: () => {
        naive.lock();
        n++;
        naive.unlock();
      },
    },
    {
      name: WITH_LOCK_ASYNC,
      fn: () => {},
      opsPerCall: ASYNC_BATCH,
      defer: async () => {
        for (let i = 0; i < ASYNC_BATCH; i++) await m.withLockAsync(inc);
      },
    },
    {
      name: RUN_EXCLUSIVE,
      fn: () => {},
      opsPerCall: ASYNC_BATCH,
      defer: async () => {
        for (let i = 0; i < ASYNC_BATCH; i++) await am.runExclusive(inc);
      },
    },
  ];
}
