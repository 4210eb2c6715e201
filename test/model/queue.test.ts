// Model checking of the real Queue algorithm (src/queue/raw-queue.ts) with its wait loops
// (src/queue/waits.ts, src/internal/park.ts), driven as src/queue/queue.ts drives them. Bigger runs:
// model.stress.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkQueue, queueCoverage, queueModels, queueProperty, type QueueScenario } from './queue-model.js';

/** Plants a bug: replaces `from` (which must occur) by `to` in the joined source of the model. */
const plant = (from: string, to: string) => (src: string) => {
  if (!src.includes(from)) throw new Error(`planted bug: source no longer contains ${from}`);
  return src.replace(from, to);
};

function find(mutate: (src: string) => string, numRuns = 4000): string {
  const result = fc.check(queueProperty(queueModels({ mutate })), { numRuns, seed: 42 });
  return result.failed ? String(result.errorInstance) : 'not found';
}

/**
 * Found by the checker with eviction removed: C2's async get is aborted while it waits; P1's put wakes
 * C2's abandoned wait (notify(1)) instead of C1, asleep in a blocking get, and the item waits forever.
 */
const abortedWaitTakesTheWake: QueueScenario = {
  capacity: 1,
  dataBytes: 3,
  producers: [
    { kind: 'block', items: [1, 1], timeoutMs: 0, abortAfterMs: 0.5, spin: false },
    { kind: 'block', items: [1], timeoutMs: 0, abortAfterMs: 0.5, spin: false },
  ],
  consumers: [
    { kind: 'block', gets: 3, timeoutMs: 0, abortAfterMs: 0.5, spin: false, blockAfterAbort: false },
    { kind: 'async', gets: 1, timeoutMs: Infinity, abortAfterMs: 0.5, spin: false, blockAfterAbort: false },
  ],
  close: 'none',
  schedule: {
    script: [
      { gap: 19, pick: 0 },
      { gap: 5, pick: 0 },
      { gap: 32, pick: 0 },
      { gap: 28, pick: 4714 },
    ],
  },
};

describe('Queue model checker', () => {
  it('finds no violation in the shipped algorithm (1–2 producers, 1–2 consumers)', () => {
    const before = { ...queueCoverage };
    fc.assert(queueProperty(queueModels()), { numRuns: 3000 });
    const seen = (k: keyof typeof queueCoverage) => queueCoverage[k] - before[k];
    // Floors: about half the least seen in 30 random runs of 3000.
    expect(seen('put')).toBeGreaterThan(3500); // least seen: 7035
    expect(seen('got')).toBeGreaterThan(3000); // 5846
    expect(seen('putWaits')).toBeGreaterThan(1500); // 2910: full queues (by count or by bytes)
    expect(seen('getWaits')).toBeGreaterThan(1500); // 3226: empty queues
    expect(seen('timedOut')).toBeGreaterThan(600); // 1323
    expect(seen('aborted')).toBeGreaterThan(250); // 513
    expect(seen('evicted')).toBeGreaterThan(80); // 186
    expect(seen('closed')).toBeGreaterThan(1400); // 2840
    expect(seen('spunHit')).toBeGreaterThan(150); // 383
    expect(seen('spunMiss')).toBeGreaterThan(900); // 1880
    expect(seen('wrapped')).toBeGreaterThan(20); // 53
    expect(seen('lockSleeps')).toBeGreaterThan(3000); // 7744
    expect(seen('stuck')).toBeGreaterThan(200); // 407
  });

  describe('finds planted bugs', () => {
    it('a getter that reads PUT_SEQ after unlocking (I1)', () => {
      const bug = plant(
        '    const seen = Atomics.load(i32, CLOSED) !== 0 ? IS_CLOSED : Atomics.load(i32, PUT_SEQ);\n    unlock(i32);\n    return seen;',
        '    unlock(i32);\n    return Atomics.load(i32, CLOSED) !== 0 ? IS_CLOSED : Atomics.load(i32, PUT_SEQ);',
      );
      expect(find(bug)).toMatch(/lost wake-up: \S+ sleeps for good in a get while \d+ items wait/);
    });

    it('a get that wakes one putter, not all (I2)', () => {
      const bug = plant(
        'notify(i32, GET_SEQ, Infinity);\n  return keep',
        'notify(i32, GET_SEQ, 1);\n  return keep',
      );
      expect(find(bug)).toMatch(/lost wake-up: \S+ sleeps for good in a put of \S+, which fits/);
    });

    it('close() that wakes no getter (I4)', () => {
      const bug = plant(
        '  notify(i32, PUT_SEQ, Infinity);\n  notify(i32, GET_SEQ, Infinity);',
        '  notify(i32, GET_SEQ, Infinity);',
      );
      expect(find(bug)).toMatch(/lost wake-up: \S+ sleeps for good in a get on a closed queue/);
    });

    it('a put after close()', () => {
      const bug = plant(
        '  if (Atomics.load(i32, CLOSED) !== 0) {\n    unlock(i32);\n    return IS_CLOSED;\n  }\n',
        '',
      );
      expect(find(bug)).toMatch(/put \S+ after close\(\)/);
    });

    it('a spin that runs out taken for success (I5)', () => {
      expect(find(plant('return hit ? check() : first;', 'return hit ? check() : null;'))).toMatch(
        /returned true but never took effect|returned bytes but took no item/,
      );
    });

    it("an aborted async get's wait not evicted (I6)", () => {
      const bug = plant(', () => evict(mem.i32, PUT_SEQ))', ')');
      const lost = /lost wake-up: \S+ sleeps for good in a get while \d+ items wait/;
      expect(() => checkQueue(queueModels(), abortedWaitTakesTheWake)).not.toThrow();
      expect(() => checkQueue(queueModels({ mutate: bug }), abortedWaitTakesTheWake)).toThrow(lost);
      expect(find(bug, 10_000)).toMatch(lost); // seed 42: found after 8141 runs
    });

    it('the internal lock released without waking a sleeper', () => {
      const bug = plant(
        'if (Atomics.exchange(i32, LOCK, FREE) === CONTENDED) notify(i32, LOCK, 1);',
        'Atomics.exchange(i32, LOCK, FREE);',
      );
      expect(find(bug)).toMatch(/lost wake-up: .* sleeps for good/);
    });

    it('an item copied in past the end of the data area instead of wrapping', () => {
      const bug = plant(
        'copyIn(data, (Atomics.load(i32, DATA_HEAD) + used) % data.length, bytes);',
        'copyIn(data, Atomics.load(i32, DATA_HEAD) + used, bytes);',
      );
      expect(find(bug)).toMatch(/out of bounds|differs in the ring|got \[/);
    });

    it('an item copied out from the wrong offset once the queue wrapped', () => {
      const bug = plant(
        'for (let i = first; i < length; i++) out[i] = data[i - first]!;',
        'for (let i = first; i < length; i++) out[i] = data[i]!;',
      );
      expect(find(bug)).toMatch(/got \[[\d,]*\] for/);
    });
  });
});
