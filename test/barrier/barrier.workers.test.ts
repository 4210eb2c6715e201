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

  // Two parties: with 2 or more cores these blocking waits spin before they park (raw-barrier.ts).
  it('releases thousands of generations of blocking waits once each, with one leader', async () => {
    const parties = 2;
    const rounds = 20_000;
    const barrier = new Barrier(parties);
    const stats = new SharedArrayBuffer(4 * (2 + rounds));
    const data = Array.from({ length: parties }, () => ({
      barrier,
      stats,
      rounds,
      parties,
      timeoutMs: 10_000,
    }));
    expect(await runWorkers('barrier-spin.mjs', data, { watchdogMs: 30_000 })).toEqual([
      { done: rounds },
      { done: rounds },
    ]);
    const s = new Int32Array(stats);
    expect(s[0]).toBe(parties * rounds);
    expect(s[1]).toBe(0);
    expect(s.subarray(2).every((leaders) => leaders === 1)).toBe(true);
  });

  it('abort() in the middle of a run of generations fails the spinning or parked party at once', async () => {
    const rounds = 5_000;
    for (const abortAt of [1, 777, 4_321]) {
      const barrier = new Barrier(2);
      const stats = new SharedArrayBuffer(4 * (2 + rounds));
      const common = { barrier, stats, rounds, parties: 2, timeoutMs: 10_000 };
      const data = [
        { ...common, abortAt: -1 },
        { ...common, abortAt },
      ];
      expect(await runWorkers('barrier-spin.mjs', data)).toEqual([{ broken: abortAt }, { aborted: abortAt }]);
      const leaders = new Int32Array(stats).subarray(2);
      expect(leaders.subarray(0, abortAt).every((n) => n === 1)).toBe(true);
      expect(leaders.subarray(abortAt).every((n) => n === 0)).toBe(true);
      expect(barrier.isBroken).toBe(true);
    }
  });

  it('a party that stops coming makes the other time out after its generations, spinning or not', async () => {
    const barrier = new Barrier(2);
    const rounds = 3_002;
    const stats = new SharedArrayBuffer(4 * (2 + rounds));
    const common = { barrier, stats, parties: 2, timeoutMs: 20 };
    const data = [
      { ...common, rounds },
      { ...common, rounds: rounds - 1 },
    ];
    // Round 3001 of the first party is a timed wait (odd rounds are): it times out and breaks it.
    expect(await runWorkers('barrier-spin.mjs', data)).toEqual([
      { timedOut: rounds - 1 },
      { done: rounds - 1 },
    ]);
    expect(barrier.isBroken).toBe(true);
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
