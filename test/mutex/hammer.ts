// Shared runner for the N-worker hammer: every test and stress test goes through `hammer()`, so the
// sizes are the only thing the stress suite changes.
import { expect } from 'vitest';
import type { Mutex } from '../../src/mutex/index.js';
import { fixture, runWorkers } from '../helpers/workers.js';

export type HammerMode =
  'lock' | 'guard' | 'async' | 'withLock' | 'withLockAsync' | 'tryLock' | 'reentrant' | 'chaos' | 'mixed';

export interface HammerResult {
  readonly acquisitions: number;
  readonly violations: number;
  readonly failures: number;
}

export interface HammerRun {
  readonly workers: number;
  readonly iterations: number;
  readonly mode: HammerMode;
  /** ESM fixture (default), the CommonJS twin, or half the workers on each. */
  readonly flavor?: 'mjs' | 'cjs' | 'both';
  /** Main-thread acquisitions to make with lockAsync while the workers run. */
  readonly mainAsync?: number;
  readonly timeoutMs?: number;
}

/**
 * Runs the hammer on `mutexes` and checks the racy counters add up exactly: any overlap of two critical
 * sections loses an increment or trips the `inside` check.
 */
export async function hammer(mutexes: readonly Mutex[], run: HammerRun): Promise<HammerResult[]> {
  const k = mutexes.length;
  const counters = new Int32Array(new SharedArrayBuffer(4 * k));
  const inside = new Int32Array(new SharedArrayBuffer(4 * k));
  const sync = new Int32Array(new SharedArrayBuffer(4));
  let mainViolations = 0;
  const mainAsync = async (): Promise<void> => {
    for (let i = 0; i < (run.mainAsync ?? 0); i++) {
      const j = i % k;
      const g = await mutexes[j]!.lockAsync();
      if (Atomics.add(inside, j, 1) !== 0) mainViolations++;
      const v = counters[j]!;
      await Promise.resolve();
      counters[j] = v + 1;
      Atomics.sub(inside, j, 1);
      g.unlock();
    }
  };
  const data = (index: number) => ({
    handles: mutexes,
    counters,
    inside,
    sync,
    workers: run.workers,
    iterations: run.iterations,
    mode: run.mode,
    index,
  });
  const options = { timeoutMs: run.timeoutMs ?? 20_000 };
  const flavor = run.flavor ?? 'mjs';
  const cjs = flavor === 'both' ? Math.floor(run.workers / 2) : flavor === 'cjs' ? run.workers : 0;
  const [esmResults, cjsResults] = await Promise.all([
    runWorkers<HammerResult>(fixture('mutex-hammer.mjs'), run.workers - cjs, data, {
      ...options,
      alongside: mainAsync,
    }),
    runWorkers<HammerResult>(fixture('mutex-hammer.cjs'), cjs, (i) => data(run.workers - cjs + i), options),
  ]);
  const results = [...esmResults, ...cjsResults];
  const total = results.reduce((sum, r) => sum + r.acquisitions, 0) + (run.mainAsync ?? 0);
  expect(results.map((r) => r.violations)).toEqual(results.map(() => 0));
  expect(mainViolations).toBe(0);
  expect([...counters].reduce((a, b) => a + b, 0)).toBe(total);
  if (run.mode !== 'chaos') expect(total).toBe(run.workers * run.iterations + (run.mainAsync ?? 0));
  for (const m of mutexes) expect(m.isLocked).toBe(false);
  return results;
}
