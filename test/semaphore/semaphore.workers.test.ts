import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../src/semaphore/index.js';
import { runWorkers, sleep, withWatchdog } from '../helpers/toolbox-workers.js';

const WORKERS = 4;

describe('Semaphore (worker threads, built package)', () => {
  for (const mode of ['blocking', 'async', 'timed'] as const) {
    it(`never lets more than its permits in at once (${mode}, weighted)`, async () => {
      const permits = 3;
      const sem = new Semaphore(permits, { max: permits });
      const stats = new SharedArrayBuffer(12);
      const data = Array.from({ length: WORKERS }, (_, i) => ({
        sem,
        stats,
        permits,
        iterations: 2000,
        maxWeight: permits,
        mode,
        seed: i + 1,
      }));
      await runWorkers('semaphore-hammer.mjs', data);
      const [inUse, highest, violations] = new Int32Array(stats);
      expect(violations).toBe(0);
      expect(inUse).toBe(0);
      expect(highest).toBeLessThanOrEqual(permits);
      expect(highest).toBeGreaterThan(1);
      expect(sem.available).toBe(permits);
    });
  }

  it('wakes a small waiter parked behind a big one (no lost wake-ups across weights)', async () => {
    for (const async of [false, true]) {
      const sem = new Semaphore(0);
      const ready = new SharedArrayBuffer(4);
      const parked = async (count: number) => {
        while (Atomics.load(new Int32Array(ready), 0) < count) await sleep(2);
        await sleep(20); // from "about to acquire" to asleep in Atomics.wait
      };
      // The big waiter parks first, so a single FIFO wake would go to it and be lost.
      const big = runWorkers('semaphore-wait.mjs', [{ sem, ready, n: 3, async }]);
      await withWatchdog(parked(1), 5000, 'big waiter starting');
      const small = runWorkers('semaphore-wait.mjs', [{ sem, ready, n: 1, async }]);
      await withWatchdog(parked(2), 5000, 'small waiter starting');
      sem.release();
      expect(await withWatchdog(small, 3000, 'the small waiter')).toEqual(['acquired']);
      sem.release(3);
      expect(await big).toEqual(['acquired']);
      expect(sem.available).toBe(0);
    }
  });

  it('loses no permits when async waiters are aborted while permits are released', async () => {
    const sem = new Semaphore(0);
    const controllers: AbortController[] = [];
    const waits: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) {
      const ac = new AbortController();
      controllers.push(ac);
      waits.push(
        sem.acquireAsync(1, { signal: ac.signal }).then(
          () => sem.release(),
          () => undefined,
        ),
      );
    }
    for (let i = 0; i < 50; i++) {
      if (i % 2 === 0) controllers[i]!.abort();
      else if (i % 5 === 0) sem.release();
      await Promise.resolve();
    }
    sem.release();
    for (const ac of controllers) ac.abort();
    await withWatchdog(Promise.all(waits), 5000, 'aborted waiters');
    expect(sem.available).toBe(6);
  });
});
