// Helpers shared by the dead-owner tests (Mutex, RwLock writers and readers, robust Semaphore): wait
// for a holder to signal that it holds, time a thread's death as join() sees it, and log how long
// recovery took after the file's tests.
import { afterAll, expect } from 'vitest';
import type { Thread } from 'threadkit/thread';
import { watchdog } from '../thread/helpers.js';
import { RECOVERY_BOUND_MS } from './workers.js';

/**
 * Waits until `flag[index]` reaches `count` (a holder raises it once it holds); fails after 5 s
 * instead of hanging.
 */
export async function untilRaised(flag: Int32Array, index = 0, count = 1): Promise<void> {
  const start = performance.now();
  while (Atomics.load(flag, index) < count) {
    if (performance.now() - start > 5_000) throw new Error('watchdog: the holder never acquired');
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Resolves with performance.now() once `t` has ended, however it ended (under a 5 s watchdog). */
export const deathOf = (t: Thread): Promise<number> =>
  watchdog(
    t.join().then(
      () => performance.now(),
      () => performance.now(),
    ),
    5_000,
  );

/**
 * An array to push recovery times (ms) into; after the file's tests, prints their min, median and max
 * under `label`, and checks that the fastest was within {@link RECOVERY_BOUND_MS}: one recovery can
 * be slow on a loaded machine (each test checks its own against the generous RECOVERY_LIMIT_MS), but
 * if even the fastest is slow, recovery itself is (a lost wake-up found only by a slow fallback).
 */
export function recoveryLog(label: string): number[] {
  const recoveries: number[] = [];
  afterAll(() => {
    if (recoveries.length === 0) return;
    const sorted = [...recoveries].sort((a, b) => a - b);
    console.log(
      `${label}: min ${sorted[0]!.toFixed(1)} ms, median ${sorted[sorted.length >> 1]!.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`,
    );
    expect(sorted[0], `${label}: the fastest of ${sorted.length}`).toBeLessThan(RECOVERY_BOUND_MS);
  });
  return recoveries;
}

/**
 * Marks `t` as a thread the test expects to die: joins it at once (ignoring how it ends), so its
 * failure is seen and never reported as an unjoined thread's error. A later `join()` still sees it.
 */
export function expectDeath(t: Thread): Thread {
  void t.join().catch(() => {});
  return t;
}
