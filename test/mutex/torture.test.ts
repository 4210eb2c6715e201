// Every way of acquiring, mixed at random on mutexes packed side by side (reentrant and not), with
// timeouts and aborts racing unlocks and long holds switching on fair mode; once with the native
// Atomics.waitAsync and once with the polling fallback. Each acquisition is retried until it succeeds,
// so the counters must add up exactly; afterwards every lock word must be clean: unlocked, with no
// PARKED/FAIR/HANDOFF flag left and no waiter still registered. Bigger sizes: THREADKIT_STRESS=1.
import { afterEach, describe, expect, it } from 'vitest';
import { Mutex } from 'threadkit/mutex';
import { STATE, WAITERS, DEPTH } from '../../src/mutex/raw-mutex.js';
import { STRESS, fixture, runWorkers, terminateAll } from '../helpers/workers.js';

const workers = STRESS ? 8 : 3;
const iterations = STRESS ? 5_000 : 600;

describe('Mutex torture: every acquisition method at once', () => {
  afterEach(terminateAll);

  for (const fallback of [false, true]) {
    it(`${workers} workers × ${iterations} on 3 packed mutexes${fallback ? ', lockAsync polling (no Atomics.waitAsync)' : ''}`, async () => {
      const buffer = new SharedArrayBuffer(Mutex.BYTES * 3 + 4);
      const reentrant = [false, true, false];
      const mutexes = reentrant.map(
        (r, i) => new Mutex({ buffer, byteOffset: 4 + i * Mutex.BYTES, reentrant: r }),
      );
      const counters = new Int32Array(new SharedArrayBuffer(4 * mutexes.length));
      const inside = new Int32Array(new SharedArrayBuffer(4 * mutexes.length));
      const results = await runWorkers<{ violations: number; retries: number }>(
        fixture('mutex-torture.mjs'),
        workers,
        () => ({ handles: mutexes, reentrant, counters, inside, iterations, fallback }),
        { timeoutMs: STRESS ? 240_000 : 25_000 },
      );
      expect(results.map((r) => r.violations)).toEqual(results.map(() => 0));
      expect(counters.reduce((a, b) => a + b, 0)).toBe(workers * iterations);
      const i32 = new Int32Array(buffer);
      const words = mutexes.map((m) => {
        const base = m.byteOffset / 4;
        return [i32[base + STATE], i32[base + WAITERS], i32[base + DEPTH]];
      });
      expect(words).toEqual(mutexes.map(() => [0, 0, 0]));
    });
  }
});
