import { describe, expect, it } from 'vitest';
import { RwLock } from '../../src/rwlock/index.js';
import { runWorkers, sleep, withWatchdog } from '../helpers/toolbox-workers.js';

describe('RwLock (worker threads, built package)', () => {
  for (const mode of ['blocking', 'async', 'timed'] as const) {
    it(`never lets a writer in with anyone else (${mode})`, async () => {
      const lock = new RwLock();
      const stats = new SharedArrayBuffer(4 * 6);
      const data = [1, 2, 3, 4].map((seed) => ({ lock, stats, iterations: 2000, mode, seed }));
      await runWorkers('rwlock-hammer.mjs', data);
      const s = new Int32Array(stats);
      expect(s[2]).toBe(0);
      expect(s[3]! + s[4]!).toBe(4 * 2000);
      expect(s[3]).toBeGreaterThan(0);
      expect(lock.readers + Number(lock.isWriteLocked)).toBe(0);
    });
  }

  it('does not starve a writer behind a continuous stream of readers', async () => {
    const lock = new RwLock();
    const stats = new SharedArrayBuffer(4 * 6);
    const data = [1, 2, 3].map((seed) => ({ lock, stats, mode: 'blocking', seed, readersOnly: true }));
    const run = runWorkers('rwlock-hammer.mjs', data);
    try {
      while (Atomics.load(new Int32Array(stats), 4) < 30) await sleep(2); // readers overlap now
      const guard = await withWatchdog(lock.writeLockAsync(), 3000, 'the writer among readers');
      guard.unlock();
    } finally {
      Atomics.store(new Int32Array(stats), 5, 1); // stop the readers, pass or fail
    }
    await run;
    expect(new Int32Array(stats)[2]).toBe(0);
  });
});
