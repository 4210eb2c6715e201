// Worker body: every worker takes a permit, bumps a counter, releases it. params: impl.
// The suite created the semaphore at offset 0 (threadkit) or stored the permits in slot 0 (naive).
import { Semaphore } from 'threadkit/semaphore';
import { defineBody, stringParam } from '../lib/worker-body.js';
import { requireMultithreading } from './multithreading.js';
import { NaiveSemaphore } from './naive.js';

/** Int32 slot of the counter, after the semaphore's slots. */
export const COUNTER = Semaphore.BYTES / 4;

export default defineBody(async (ctx) => {
  const i32 = new Int32Array(ctx.shared);
  const impl = stringParam(ctx, 'impl');
  if (impl === 'multithreading') {
    // Its permits are slot 0 (the suite stored them there), its waiter count slot 1.
    const { Semaphore } = await requireMultithreading();
    const sem = new Semaphore(0, ctx.shared);
    return {
      run(n) {
        for (let i = 0; i < n; i++) {
          const permit = sem.blockingAcquire();
          Atomics.add(i32, COUNTER, 1);
          permit.dispose();
        }
      },
    };
  }
  const naive = impl === 'naive';
  const sem = naive ? new NaiveSemaphore(i32, 0) : Semaphore.from({ buffer: ctx.shared, byteOffset: 0 });
  return {
    run(n) {
      for (let i = 0; i < n; i++) {
        sem.acquire();
        Atomics.add(i32, COUNTER, 1);
        sem.release();
      }
    },
  };
});
