import { describe, expect, it } from 'vitest';
import { Barrier } from '../../src/barrier/index.js';
import { runWorkers } from '../helpers/toolbox-workers.js';
import { whenReady } from '../helpers/toolbox-ready.js';

describe('Barrier (worker threads, built package)', () => {
  it('releases every party of every generation once, after all arrived, with one leader', async () => {
    const parties = 4;
    const rounds = 300;
    const barrier = new Barrier(parties);
    const stats = new SharedArrayBuffer(4 * (2 + rounds));
    const data = Array.from({ length: parties }, (_, i) => ({
      barrier,
      stats,
      rounds,
      parties,
      async: i % 2 === 0,
    }));
    await runWorkers('barrier-rounds.mjs', data);
    const s = new Int32Array(stats);
    expect(s[0]).toBe(parties * rounds);
    expect(s[1]).toBe(0);
    expect([...s.subarray(2)].every((leaders) => leaders === 1)).toBe(true);
  });

  it('abort() fails every waiting party, sync and async', async () => {
    const barrier = new Barrier(4);
    const ready = new SharedArrayBuffer(4);
    const data = [false, true, false].map((async) => ({ barrier, ready, async }));
    const run = runWorkers('barrier-wait.mjs', data);
    await whenReady(ready, data.length);
    barrier.abort();
    expect(await run).toEqual(['BrokenBarrierError', 'BrokenBarrierError', 'BrokenBarrierError']);
  });

  it('a party timing out breaks the barrier for the others', async () => {
    const barrier = new Barrier(4);
    const ready = new SharedArrayBuffer(4);
    const data = [
      { barrier, ready, async: false },
      { barrier, ready, async: true },
      { barrier, ready, async: false, timeoutMs: 50 },
    ];
    expect(await runWorkers('barrier-wait.mjs', data)).toEqual([
      'BrokenBarrierError',
      'BrokenBarrierError',
      'timeout',
    ]);
  });
});
