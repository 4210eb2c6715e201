// Worker body: every worker hammers one lock with a one-increment critical section.
// params: lock (a LockName); timed (1 = time every acquisition, for the fairness case).
import { defineBody, numberParam, stringParam } from '../lib/worker-body.js';
import { counterOf, openLock } from './locks.js';

export default defineBody((ctx) => {
  const lock = openLock(stringParam(ctx, 'lock'), ctx.shared, 0);
  const counter = counterOf(ctx.shared, 1);
  const timed = numberParam(ctx, 'timed') === 1;
  let maxWaitMs = 0;
  let waitsOver1ms = 0;

  const untimed = (n: number): void => {
    for (let i = 0; i < n; i++) {
      lock.lock();
      // Plain (non-atomic) increment: the lock alone must make it exact; the suite checks the total.
      counter[0]!++;
      lock.unlock();
    }
  };
  const timedRun = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      lock.lock();
      const waited = performance.now() - t0;
      counter[0]!++;
      lock.unlock();
      if (waited > maxWaitMs) maxWaitMs = waited;
      if (waited > 1) waitsOver1ms++;
    }
  };

  return {
    run: timed ? timedRun : untimed,
    stats: (): Record<string, number> => (timed ? { maxWaitMs, waitsOver1ms } : {}),
  };
});
