// Mutex smoke test: blocking lock on a worker, Mutex shared across workers, lockAsync on the main thread.
import { BlockingNotAllowedError, Mutex, Thread, TimeoutError } from 'threadkit';
import { check, sleep } from './harness.mjs';

export const tests = [
  [
    'lock/tryLock/unlock on this thread (BlockingNotAllowedError on a browser main thread)',
    (env) => {
      const m = new Mutex();
      if (env.browserMain) {
        let thrown;
        try {
          m.lock();
        } catch (err) {
          thrown = err;
        }
        check(thrown instanceof BlockingNotAllowedError, `lock() threw ${thrown}`);
        check(!m.isLocked, 'lock() that threw left the mutex locked');
        const g = m.tryLock(0); // a zero timeout never blocks
        check(g !== null && m.isHeldByCurrentThread, 'tryLock(0) did not acquire');
        g.unlock();
        return;
      }
      const g = m.lock();
      check(m.isLocked && m.isHeldByCurrentThread, 'not locked after lock()');
      g.unlock();
      check(!m.isLocked, 'still locked after unlock()');
    },
  ],
  [
    'Mutex across 4 workers: no lost increments',
    async () => {
      const m = new Mutex();
      const counter = new Int32Array(new SharedArrayBuffer(4));
      const N = 2000;
      const work = (mutex, c, n) => {
        for (let i = 0; i < n; i++) {
          const g = mutex.lock();
          // Non-atomic read-modify-write: only the mutex keeps it exact.
          const v = c[0];
          c[0] = v + 1;
          g.unlock();
        }
        return 'done';
      };
      const threads = Array.from({ length: 4 }, () => new Thread(work, { args: [m, counter, N] }).start());
      const results = await Promise.all(threads.map((t) => t.join()));
      check(
        results.every((r) => r === 'done'),
        `results ${results}`,
      );
      check(counter[0] === 4 * N, `counter is ${counter[0]}, expected ${4 * N}`);
    },
  ],
  [
    'lockAsync on the main thread waits for a worker to unlock; timeoutMs rejects with TimeoutError',
    async () => {
      const m = new Mutex();
      const flag = new Int32Array(new SharedArrayBuffer(4));
      const holder = new Thread(
        (mutex, f) => {
          const g = mutex.lock();
          Atomics.store(f, 0, 1);
          Atomics.wait(f, 0, 1, 150); // hold the lock ~150 ms
          g.unlock();
        },
        { args: [m, flag] },
      ).start();
      while (Atomics.load(flag, 0) === 0) await sleep(5);
      const timedOut = await m.lockAsync({ timeoutMs: 20 }).catch((err) => err);
      check(timedOut instanceof TimeoutError, `lockAsync({ timeoutMs: 20 }) gave ${timedOut}`);
      const g = await m.lockAsync();
      check(m.isHeldByCurrentThread, 'lockAsync resolved without holding the lock');
      g.unlock();
      await holder.join();
    },
  ],
];
