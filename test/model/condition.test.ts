// Model checking of the real Condition algorithm (src/condition/raw-condition.ts) with the real Mutex
// and the shared wait loop, driven as src/condition/condition.ts drives them. Bigger runs:
// model.stress.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkCondition,
  condCoverage,
  conditionModels,
  conditionProperty,
  type AbandonPolicy,
} from './condition-model.js';

const plant = (from: string, to: string) => (src: string) => {
  if (!src.includes(from)) throw new Error(`planted bug: source no longer contains ${from}`);
  return src.replace(from, to);
};

function find(
  options: Parameters<typeof conditionModels>[0],
  consumers = 3,
  numRuns = 4000,
  abandon?: AbandonPolicy,
): string {
  const property = conditionProperty(conditionModels(options), consumers, undefined, abandon);
  const result = fc.check(property, { numRuns, seed: 42 });
  return result.failed ? String(result.errorInstance) : 'not found';
}

/** Found by the checker: a notified async waiter aborted before its continuation ran. */
const notifiedThenAborted = {
  consumers: [
    { kind: 'async', iterations: 1, timeoutMs: 1, abortAfterMs: 0.5 },
    { kind: 'async', iterations: 1, timeoutMs: Infinity, abortAfterMs: Infinity },
  ],
  producers: [{ count: 1, underLock: true }],
  schedule: {
    script: [
      { gap: 19, pick: 1310 },
      { gap: 2, pick: 0 },
    ],
  },
} as const;

describe('Condition model checker', () => {
  it('finds no violation in the shipped algorithm (1–3 consumers, 1–2 producers, notify(1) and notifyAll)', () => {
    const before = { ...condCoverage };
    fc.assert(conditionProperty(conditionModels()), { numRuns: 3000 });
    expect(condCoverage.consumed - before.consumed).toBeGreaterThan(5000);
    expect(condCoverage.timedOut - before.timedOut).toBeGreaterThan(25); // least seen in 40 random runs: 80
    expect(condCoverage.aborted - before.aborted).toBeGreaterThan(150); // least seen: 285 (the floor was 300, and failed once)
    expect(condCoverage.evicted - before.evicted).toBeGreaterThan(50);
    expect(condCoverage.rejoined - before.rejoined).toBeGreaterThan(50);
  });

  it('regression: a waiter notified, then aborted before it resumes, keeps the wake-up', () => {
    // (The bug it found was in the wait loop Condition.waitAsync used then; it now makes one wait, whose
    // outcome is final once settled, so the planted form of that bug has no window left to show in.)
    expect(() => checkCondition(conditionModels(), notifiedThenAborted)).not.toThrow();
  });

  describe('finds planted bugs', () => {
    it('an aborted wait not evicted (I2)', () => {
      expect(find({ mutate: plant('  notify(i32, base + SEQ, Infinity);\n}', '}') })).toMatch(/lost wake-up/);
    });

    it("the replaced design: an absorbed wake-up passed on from the aborting thread's event loop (I2)", () => {
      // The pass-on waits for that thread's event loop, which never runs while the thread blocks in
      // wait() behind its own abandoned entry, the waiter the swallowed notify was for.
      expect(find({}, 3, 4000, 'pass-on')).toMatch(/lost wake-up/);
    });

    it('notify without moving SEQ first (I1)', () => {
      expect(find({ mutate: plant('  Atomics.add(i32, base + SEQ, 1);\n', '') })).toMatch(/lost wake-up/);
    });

    it('a waiter that never deregisters', () => {
      expect(find({ mutate: plant('  Atomics.sub(i32, base + WAITERS, 1);\n', '') })).toMatch(/not clean/);
    });
  });
});
