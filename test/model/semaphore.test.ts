// Model checking of the real Semaphore algorithm and the shared wait loop (src/internal/park.ts, also
// used by Event, Latch, Condition and Barrier) under simulated Atomics.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { semaphoreModels, semaphoreProperty } from './semaphore-model.js';
import { robustCoverage, robustModels, robustProperty } from './semaphore-robust-model.js';

const plant = (from: string, to: string) => (src: string) => {
  if (!src.includes(from)) throw new Error(`planted bug: source no longer contains ${from}`);
  return src.replace(from, to);
};

function find(mutate: (src: string) => string, threads = 4, numRuns = 4000): string {
  const result = fc.check(semaphoreProperty(semaphoreModels({ mutate }), threads), { numRuns, seed: 42 });
  return result.failed ? String(result.errorInstance) : 'not found';
}

describe('Semaphore model checker', () => {
  it('finds no violation in the shipped algorithm (2–4 threads taking 1–2 of 2 permits)', () => {
    fc.assert(semaphoreProperty(semaphoreModels()), { numRuns: 2000 });
  });

  describe('finds planted bugs', () => {
    it('release without a notify', () => {
      const bug = plant(
        'if (Atomics.load(i32, base + WAITERS) > 0) notify(i32, base + COUNT, Infinity);',
        '',
      );
      expect(find(bug)).toMatch(/lost wake-up/);
    });

    it('release waking one sleeper instead of all (I2)', () => {
      const bug = plant('notify(i32, base + COUNT, Infinity);', 'notify(i32, base + COUNT, 1);');
      expect(find(bug, 5, 20_000)).toMatch(/lost wake-up/);
    });

    it('take without a compareExchange', () => {
      const bug = plant(
        'if (Atomics.compareExchange(i32, base + COUNT, c, c - n) === c) return null;',
        '{ Atomics.store(i32, base + COUNT, c - n); return null; }',
      );
      expect(find(bug)).toMatch(/permits held|not clean/);
    });
  });
});

describe('robust Semaphore model checker (holders that die holding permits)', () => {
  const findRobust = (mutate: (src: string) => string, numRuns = 3000): string => {
    const result = fc.check(robustProperty(robustModels({ mutate })), { numRuns, seed: 42 });
    return result.failed ? String(result.errorInstance) : 'not found';
  };

  it('finds no violation in the shipped algorithm and holder table (2–4 threads taking 1–3 of 3 permits)', () => {
    const before = { ...robustCoverage };
    fc.assert(robustProperty(robustModels()), { numRuns: 1500 });
    expect(robustCoverage.deaths - before.deaths).toBeGreaterThan(100);
    expect(robustCoverage.reclaimed - before.reclaimed).toBeGreaterThan(50);
    expect(robustCoverage.ownerDied - before.ownerDied).toBeGreaterThan(20);
  });

  describe('finds planted bugs', () => {
    it('waiters that never give back a dead holder’s permits', () => {
      const bug = plant(
        'if (Atomics.load(i32, e + 1) !== 0 && empty(i32, e, give)) Atomics.store(i32, e, 0);',
        '',
      );
      expect(findRobust(bug)).toMatch(/not finished|lost wake-up/);
    });

    it('giving back the permits of a live holder', () => {
      const bug = plant('!isThreadDead(tid - 1)', 'false');
      // Found as too many permits, or as the live holder finding its record emptied under it.
      expect(findRobust(bug)).toMatch(/no dead thread held|permits held|own permits were not recorded/);
    });
  });
});
