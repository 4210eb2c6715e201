import { describe, expect, it } from 'vitest';
import { CountDownLatch, TimeoutError } from '../../src/latch/index.js';
import { Event } from '../../src/event/index.js';
import { runWorkers } from '../helpers/toolbox-workers.js';
import { whenReady } from '../helpers/toolbox-ready.js';

describe('CountDownLatch (one thread)', () => {
  it('opens after count count-downs and stays open', () => {
    const l = new CountDownLatch(2);
    expect(l.wait(0)).toBe(false);
    l.countDown();
    expect(l.count).toBe(1);
    expect(l.wait(10)).toBe(false);
    l.countDown();
    l.countDown(); // harmless on an open latch
    expect(l.count).toBe(0);
    expect(l.wait()).toBe(true);
    expect(new CountDownLatch(0).wait()).toBe(true);
  });

  it('async: resolves when open, rejects with TimeoutError or the abort reason', async () => {
    const l = new CountDownLatch(1);
    await expect(l.waitAsync({ timeoutMs: 10 })).rejects.toBeInstanceOf(TimeoutError);
    const reason = new Error('stop');
    const ac = new AbortController();
    const p = l.waitAsync({ signal: ac.signal });
    setTimeout(() => ac.abort(reason), 5);
    await expect(p).rejects.toBe(reason);
    const later = l.waitAsync({ timeoutMs: 2000 });
    setTimeout(() => l.countDown(), 5);
    await later;
  });

  it('rejects bad input naming the parameter, and revives only a latch', () => {
    expect(() => new CountDownLatch(undefined as never)).toThrow(/`count`/);
    expect(() => new CountDownLatch(-1)).toThrow(RangeError);
    expect(() => new CountDownLatch(1.5)).toThrow(/`count`/);
    expect(() => new CountDownLatch(1).wait(NaN)).toThrow(/`timeoutMs`/);
    expect(() => CountDownLatch.from(structuredClone(new Event()))).toThrow(/holds no CountDownLatch/);
    const l = new CountDownLatch(3);
    CountDownLatch.from(structuredClone(l)).countDown();
    expect(l.count).toBe(2);
  });

  it('refuses an unknown option key with a TypeError naming it', async () => {
    expect(() => new CountDownLatch(1, { bufer: new SharedArrayBuffer(64) } as never)).toThrow(TypeError);
    expect(() => new CountDownLatch(1, { bufer: new SharedArrayBuffer(64) } as never)).toThrow(
      'Unknown option `bufer` in `options` of new CountDownLatch(); did you mean `buffer`? (known: buffer, byteOffset)',
    );
    const l = new CountDownLatch(1, { buffer: new SharedArrayBuffer(CountDownLatch.BYTES), byteOffset: 0 });
    await expect(l.waitAsync({ timeout: 50 } as never)).rejects.toThrow(
      /^Unknown option `timeout` in `options` of CountDownLatch\.waitAsync\(\); did you mean `timeoutMs`\?/,
    );
    await expect(l.waitAsync({ timeoutMs: 5 })).rejects.toBeInstanceOf(TimeoutError);
  });
});

describe('CountDownLatch (worker threads, built package)', () => {
  it('releases every party of every round, with their writes visible', async () => {
    const parties = 4;
    const rounds = 200;
    const buffer = new SharedArrayBuffer(CountDownLatch.BYTES * rounds);
    for (let r = 0; r < rounds; r++)
      new CountDownLatch(parties, { buffer, byteOffset: r * CountDownLatch.BYTES });
    const counter = new SharedArrayBuffer(8);
    const data = Array.from({ length: parties }, (_, i) => ({
      buffer,
      rounds,
      parties,
      counter,
      async: i % 2 === 1,
    }));
    expect(await runWorkers('latch-rounds.mjs', data)).toEqual([0, 0, 0, 0]);
    expect(new Int32Array(counter)[1]).toBe(parties * rounds);
  });

  it('wakes sync and async waiters parked on it', async () => {
    const latch = new CountDownLatch(2);
    const ready = new SharedArrayBuffer(4);
    const data = [false, true, false].map((async) => ({ kind: 'latch', handle: latch, ready, async }));
    const run = runWorkers('wait-for.mjs', data);
    await whenReady(ready, data.length);
    latch.countDown();
    latch.countDown();
    expect(await run).toEqual([true, true, true]);
  });
});
