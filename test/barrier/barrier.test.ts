import { describe, expect, it } from 'vitest';
import { Barrier, BrokenBarrierError, TimeoutError } from '../../src/barrier/index.js';
import { Event } from '../../src/event/index.js';
import { sleep } from '../helpers/toolbox-workers.js';

describe('Barrier (one thread)', () => {
  it('releases each generation with exactly one leader, and is reusable', async () => {
    const b = new Barrier(3);
    for (let gen = 0; gen < 3; gen++) {
      const results = await Promise.all([b.waitAsync(), b.waitAsync(), b.waitAsync()]);
      expect(results.filter((r) => r.isLeader)).toHaveLength(1);
      expect(b.waiting).toBe(0);
    }
    expect(new Barrier(1).wait()).toEqual({ isLeader: true });
  });

  it('a sync timeout returns null and breaks the barrier for everyone', async () => {
    const b = new Barrier(3);
    const other = b.waitAsync();
    await sleep(2);
    expect(b.waiting).toBe(1);
    expect(b.wait(10)).toBeNull();
    expect(b.isBroken).toBe(true);
    await expect(other).rejects.toBeInstanceOf(BrokenBarrierError);
    expect(b.waiting).toBe(0); // nobody waits on a broken barrier
    expect(() => b.wait()).toThrow(BrokenBarrierError);
    await expect(b.waitAsync()).rejects.toHaveProperty('code', 'ERR_BROKEN_BARRIER');
  });

  it('waiting is 0 once broken: a lone timed-out party, abort() with parties waiting', async () => {
    const b1 = new Barrier(3);
    expect(b1.wait(20)).toBeNull();
    expect(b1.isBroken).toBe(true);
    expect(b1.waiting).toBe(0);
    const b2 = new Barrier(3);
    const waiters = [b2.waitAsync(), b2.waitAsync()];
    expect(b2.waiting).toBe(2);
    b2.abort();
    expect(b2.waiting).toBe(0);
    for (const w of waiters) await expect(w).rejects.toBeInstanceOf(BrokenBarrierError);
    expect(b2.waiting).toBe(0);
  });

  it('async timeout rejects with TimeoutError, abort with the reason; both break it', async () => {
    const b1 = new Barrier(2);
    await expect(b1.waitAsync({ timeoutMs: 10 })).rejects.toBeInstanceOf(TimeoutError);
    expect(b1.isBroken).toBe(true);
    const b2 = new Barrier(2);
    const reason = new Error('stop');
    const ac = new AbortController();
    setTimeout(() => ac.abort(reason), 5);
    await expect(b2.waitAsync({ signal: ac.signal })).rejects.toBe(reason);
    expect(b2.isBroken).toBe(true);
    const b3 = new Barrier(2);
    const waiting = b3.waitAsync();
    await sleep(2);
    b3.abort();
    await expect(waiting).rejects.toBeInstanceOf(BrokenBarrierError);
  });

  it('a party whose generation was released just before its abort resolves', async () => {
    const b = new Barrier(2);
    const ac = new AbortController();
    const first = b.waitAsync({ signal: ac.signal });
    await sleep(2);
    b.wait(); // releases the generation synchronously...
    ac.abort(); // ...before the first party's promise observes it
    await expect(first).resolves.toEqual({ isLeader: false });
    expect(b.isBroken).toBe(false);
  });

  it('rejects bad input naming the parameter, and revives only a barrier', () => {
    expect(() => new Barrier(undefined as never)).toThrow(/`parties`/);
    expect(() => new Barrier(0)).toThrow(RangeError);
    expect(() => new Barrier(1.5)).toThrow(/`parties`/);
    expect(() => new Barrier(40_000)).toThrow(/`parties`/);
    expect(() => new Barrier(2).wait(-1)).toThrow(/`timeoutMs`/);
    expect(() => Barrier.from(structuredClone(new Event()))).toThrow(/holds no Barrier/);
    const buffer = new SharedArrayBuffer(Barrier.BYTES);
    const b = new Barrier(2, { buffer });
    expect(() => new Barrier(3, { buffer })).toThrow(/`parties`/);
    expect(Barrier.from(structuredClone(b)).parties).toBe(2);
  });

  it('refuses an unknown option key with a TypeError naming it, without joining the barrier', async () => {
    expect(() => new Barrier(2, { parties: 2 } as never)).toThrow(TypeError);
    expect(() => new Barrier(2, { parties: 2 } as never)).toThrow(
      'Unknown option `parties` in `options` of new Barrier() (known: buffer, byteOffset)',
    );
    const b = new Barrier(2, { buffer: new SharedArrayBuffer(Barrier.BYTES), byteOffset: 0 });
    await expect(b.waitAsync({ timeout: 50 } as never)).rejects.toThrow(
      /^Unknown option `timeout` in `options` of Barrier\.waitAsync\(\); did you mean `timeoutMs`\?/,
    );
    expect(b.waiting).toBe(0);
    expect(b.isBroken).toBe(false);
    await expect(b.waitAsync({ timeoutMs: 5 })).rejects.toBeInstanceOf(TimeoutError);
  });
});
