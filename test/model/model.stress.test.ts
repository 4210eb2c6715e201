// The model checkers with big budgets: more threads, more preemptions, many more runs.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { coverage, mutexProperty, rawMutex } from './mutex-model.js';
import { semaphoreModels, semaphoreProperty } from './semaphore-model.js';
import { robustCoverage, robustModels, robustProperty } from './semaphore-robust-model.js';
import { rwCoverage, rwlockModels, rwlockProperty } from './rwlock-model.js';
import { condCoverage, conditionModels, conditionProperty } from './condition-model.js';
import { barrierCoverage, barrierModels, barrierProperty } from './barrier-model.js';
import { queueCoverage, queueModels, queueProperty } from './queue-model.js';

it('finds no violation in 100 000 runs of 2–5 threads with up to 16 preemptions', () => {
  const before = coverage.runs;
  fc.assert(mutexProperty(rawMutex(), 5, 16), { numRuns: 100_000 });
  expect(coverage.runs - before).toBe(100_000);
});

it('finds no violation in 30 000 runs where lock holders die (owner polling on)', () => {
  const before = coverage.ownerDied;
  fc.assert(mutexProperty(rawMutex({ ownerCheck: true }), 5, 16, true), { numRuns: 30_000 });
  expect(coverage.ownerDied - before).toBeGreaterThan(1_000);
});

it('Semaphore: finds no violation in 50 000 runs of 2–6 threads', () => {
  fc.assert(semaphoreProperty(semaphoreModels(), 6, 16), { numRuns: 50_000 });
});

it('robust Semaphore: finds no violation in 50 000 runs of 2–6 threads where holders die', () => {
  const before = robustCoverage.ownerDied;
  fc.assert(robustProperty(robustModels(), 6, 16), { numRuns: 50_000 });
  expect(robustCoverage.ownerDied - before).toBeGreaterThan(5_000);
});

it('RwLock: finds no violation in 50 000 runs of 2–6 readers and writers', () => {
  const before = { ...rwCoverage };
  fc.assert(rwlockProperty(rwlockModels(), 6, 16), { numRuns: 50_000 });
  expect(rwCoverage.evicted - before.evicted).toBeGreaterThan(100);
  expect(rwCoverage.rejoined - before.rejoined).toBeGreaterThan(100);
});

it('Condition: finds no violation in 50 000 runs of 1–4 consumers and 1–2 producers', () => {
  const before = { ...condCoverage };
  fc.assert(conditionProperty(conditionModels(), 4, 16), { numRuns: 50_000 });
  expect(condCoverage.evicted - before.evicted).toBeGreaterThan(1_000);
  expect(condCoverage.rejoined - before.rejoined).toBeGreaterThan(1_000);
});

it('Barrier: finds no violation in 50 000 runs of 2–5 parties', () => {
  const before = barrierCoverage.broken;
  fc.assert(barrierProperty(barrierModels(), 5, 16), { numRuns: 50_000 });
  expect(barrierCoverage.broken - before).toBeGreaterThan(1_000);
});

it('Queue: finds no violation in 50 000 runs of 1–3 producers and 1–3 consumers', () => {
  const before = { ...queueCoverage };
  fc.assert(queueProperty(queueModels(), 3, 16), { numRuns: 50_000 });
  expect(queueCoverage.evicted - before.evicted).toBeGreaterThan(1_000);
  expect(queueCoverage.wrapped - before.wrapped).toBeGreaterThan(300);
  expect(queueCoverage.spunHit - before.spunHit).toBeGreaterThan(2_000);
  expect(queueCoverage.stuck - before.stuck).toBeGreaterThan(2_000);
});
