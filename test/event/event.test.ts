import { describe, expect, it } from 'vitest';
import { Event, TimeoutError } from '../../src/event/index.js';
import { Semaphore } from '../../src/semaphore/index.js';
import { runWorkers, sleep } from '../helpers/toolbox-workers.js';
import { whenReady } from '../helpers/toolbox-ready.js';

describe('Event (one thread)', () => {
  it('sets, clears and reports its flag', () => {
    const e = new Event();
    expect(e.isSet).toBe(false);
    expect(e.wait(0)).toBe(false);
    e.set();
    e.set();
    expect(e.isSet).toBe(true);
    expect(e.wait()).toBe(true);
    e.clear();
    e.clear();
    expect(e.isSet).toBe(false);
    const t0 = performance.now();
    expect(e.wait(20)).toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(15);
  });

  it('async: resolves on set, rejects with TimeoutError or the abort reason', async () => {
    const e = new Event();
    setTimeout(() => e.set(), 5);
    await e.waitAsync({ timeoutMs: 2000 });
    e.clear();
    await expect(e.waitAsync({ timeoutMs: 10 })).rejects.toBeInstanceOf(TimeoutError);
    const reason = new Error('stop');
    const ac = new AbortController();
    const p = e.waitAsync({ signal: ac.signal });
    setTimeout(() => ac.abort(reason), 5);
    await expect(p).rejects.toBe(reason);
    await expect(e.waitAsync({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    // An aborted waiter does not keep a later one from being released.
    const later = e.waitAsync({ timeoutMs: 2000 });
    await sleep(2);
    e.set();
    await later;
  });

  it('rejects bad input naming the parameter, and revives only an event', async () => {
    const e = new Event();
    expect(() => e.wait(-1)).toThrow(/`timeoutMs`/);
    expect(() => e.wait('1' as never)).toThrow(TypeError);
    await expect(e.waitAsync({ signal: 1 as never })).rejects.toThrow(/`signal`/);
    await expect(e.waitAsync(5 as never)).rejects.toThrow(/`options`/);
    expect(() => new Event({ buffer: new SharedArrayBuffer(8) })).toThrow(/`byteOffset`/);
    expect(() => Event.from({})).toThrow(/`handle`/);
    expect(() => Event.from(structuredClone(new Semaphore()))).toThrow(/holds no Event/);
    const buffer = new SharedArrayBuffer(Event.BYTES * 2);
    const a = new Event({ buffer, byteOffset: Event.BYTES });
    Event.from(structuredClone(a)).set();
    expect(a.isSet).toBe(true);
    expect(new Event({ buffer }).isSet).toBe(false);
    expect(() => new Semaphore(1, { buffer, byteOffset: Event.BYTES })).toThrow(/`byteOffset`/);
  });

  it('refuses an unknown option key with a TypeError naming it', async () => {
    expect(() => new Event({ set: true } as never)).toThrow(TypeError);
    expect(() => new Event({ set: true } as never)).toThrow(
      'Unknown option `set` in `options` of new Event() (known: buffer, byteOffset)',
    );
    const e = new Event({ buffer: new SharedArrayBuffer(Event.BYTES), byteOffset: 0 });
    await expect(e.waitAsync({ timeout: 50 } as never)).rejects.toThrow(TypeError);
    await expect(e.waitAsync({ timeout: 50 } as never)).rejects.toThrow(
      'Unknown option `timeout` in `options` of Event.waitAsync(); did you mean `timeoutMs`? (known: signal, timeoutMs)',
    );
    await expect(e.waitAsync({ timeoutMs: 5, signal: new AbortController().signal })).rejects.toBeInstanceOf(
      TimeoutError,
    );
  });
});

describe('Event (worker threads, built package)', () => {
  it('releases every waiter even when clear() follows set() at once', async () => {
    for (let round = 0; round < 3; round++) {
      const event = new Event();
      const ready = new SharedArrayBuffer(4);
      const data = [false, true, false, true].map((async) => ({
        kind: 'event',
        handle: event,
        ready,
        async,
      }));
      const run = runWorkers('wait-for.mjs', data);
      await whenReady(ready, data.length);
      event.set();
      event.clear();
      expect(await run).toEqual([true, true, true, true]);
    }
  });

  it('times out sync waits with false and async ones with TimeoutError', async () => {
    const event = new Event();
    const ready = new SharedArrayBuffer(4);
    const data = [false, true].map((async) => ({
      kind: 'event',
      handle: event,
      ready,
      async,
      timeoutMs: 30,
    }));
    expect(await runWorkers('wait-for.mjs', data)).toEqual([false, 'TimeoutError']);
  });
});
