// Worker body: two workers pass control back and forth through three locks, so every step is a
// handoff to a thread that is (most likely) asleep in lock(). Needs exactly 2 workers.
//
// Each worker holds two locks (older, newer), releases the older one (the other worker is blocked on
// it) and then blocks on the third one, which the other worker holds. Nobody ever relocks the lock it
// just released, so the lock cannot be barged and the two workers strictly alternate:
//   start: worker 0 holds (0, 1); worker 1 holds 2 and blocks on 0.
//   worker 0 unlocks 0 → worker 1 wakes with (2, 0); worker 0 blocks on 2.
//   worker 1 unlocks 2 → worker 0 wakes with (1, 2); worker 1 blocks on 1. ... and so on.
// One op = one step = one handoff received, so latency per handoff = elapsed / total ops.
// params: lock (a LockName).
import { defineBody, stringParam } from '../lib/worker-body.js';
import { openLock, type BenchLock } from './locks.js';

/** Locks in the ring. */
const RING = 3;

export default defineBody((ctx) => {
  if (ctx.workers !== 2) throw new RangeError(`Expected 2 workers for the handoff body, got ${ctx.workers}`);
  const name = stringParam(ctx, 'lock');
  const locks: BenchLock[] = [];
  for (let i = 0; i < RING; i++) locks.push(openLock(name, ctx.shared, i));
  const at = (i: number): BenchLock => locks[i]!;

  // -1 = none held yet (worker 1 before its first step).
  let older: number;
  let newer: number;
  if (ctx.index === 0) {
    at(0).lock();
    at(1).lock();
    [older, newer] = [0, 1];
  } else {
    at(2).lock();
    [older, newer] = [-1, 2];
  }

  return {
    run(n) {
      for (let i = 0; i < n; i++) {
        if (older === -1) {
          at(0).lock();
          [older, newer] = [2, 0];
          continue;
        }
        at(older).unlock();
        const third = RING - older - newer;
        at(third).lock();
        [older, newer] = [newer, third];
      }
    },
    // After STOP: release both, so the other worker never waits for a step this one will not take.
    finish() {
      if (older !== -1) at(older).unlock();
      at(newer).unlock();
    },
  };
});
