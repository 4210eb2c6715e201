// Fair handoff: once a waiter has waited past FAIR_AFTER_MS, unlock() hands the lock to a woken
// waiter, and a newcomer (the unlocker coming straight back, above all) may not take it first.
import { afterEach, describe, expect, it } from 'vitest';
import { Mutex } from 'threadkit/mutex';
import { spawn } from 'threadkit/thread';
import { OWNER_CHECK_MS } from '../../src/internal/dead-threads.js';
import { FAIR, STATE } from '../../src/mutex/raw-mutex.js';
import { since, sleep, terminateAll, watchdog } from '../helpers/workers.js';

describe('fair handoff', () => {
  afterEach(terminateAll);

  // As shipped before: a handoff was claimable by any thread in the slow path, newcomers included.
  // The unlocker's own next lock() reaches that claim in microseconds, before the woken waiter runs (a
  // wake-up costs tens of microseconds), so a thread that unlocks and relocks in a loop took back the
  // handoffs meant for the starving waiter, which re-parked behind it each time: measured waits of
  // 100–300 ms for a lock held 0.1 ms at a time by one other thread. Here the woken waiter is an async
  // one whose thread is busy for a few ms, so that the race is not left to chance.
  it('the unlocker relocking at once waits for the waiter it handed the lock to', async () => {
    const m = new Mutex();
    const i32 = new Int32Array(m.buffer);
    const state = m.byteOffset / 4 + STATE;
    // [0]: the waiter got the lock; [1]: the waiter's thread is busy (its wake-up cannot run yet).
    const flags = new Int32Array(new SharedArrayBuffer(8));
    m.lock();
    const waiter = spawn(
      async (mutex: Mutex, f: Int32Array, stateIndex: number, fair: number) => {
        const word = new Int32Array(mutex.buffer);
        const locked = mutex.lockAsync();
        // Once it has waited long enough to ask for fair mode (it re-checks every 25 ms), keep the
        // thread busy for a while, so that the handoff's wake-up is taken only afterwards.
        while ((Atomics.load(word, stateIndex) & fair) === 0) await new Promise((r) => setTimeout(r, 1));
        Atomics.store(f, 1, 1);
        const until = performance.now() + 8;
        while (performance.now() < until);
        const guard = await locked;
        Atomics.store(f, 0, 1);
        guard.unlock();
      },
      m,
      flags,
      state,
      FAIR,
    );
    await watchdog(
      (async () => {
        while (Atomics.load(flags, 1) === 0) await sleep(1);
      })(),
      5_000,
      'the waiter asking for fair mode',
    );
    expect(Atomics.load(i32, state) & FAIR).toBe(FAIR);
    // Back to back, with the waiter's wake-up pending: the handoff is the waiter's.
    m.unlock();
    const t0 = performance.now();
    m.lock();
    const relockMs = since(t0);
    const waiterFirst = Atomics.load(flags, 0) === 1;
    m.unlock();
    await watchdog(waiter.join(), 5_000, 'the waiter');
    expect(m.isLocked).toBe(false);
    // The only other way in: the waiter's thread was kept from running past the re-check of a parked
    // waiter (OWNER_CHECK_MS), which claims a handoff left that long (a woken waiter may have died).
    if (!waiterFirst) expect(relockMs).toBeGreaterThanOrEqual(OWNER_CHECK_MS - 2);
  });
});
