import { describe, expect, it } from 'vitest';
import { Condition } from '../../src/condition/index.js';
import { Mutex } from '../../src/mutex/index.js';
import { runWorkers, sleep } from '../helpers/toolbox-workers.js';

describe('Condition (worker threads, built package)', () => {
  it('ping-pongs with notify(1) without losing a wake-up (sync and async)', async () => {
    for (const asyncs of [
      [false, false],
      [true, false],
    ]) {
      const cond = new Condition(new Mutex());
      const turn = new SharedArrayBuffer(4);
      const data = asyncs.map((async, me) => ({ cond, turn, me, rounds: 1000, async }));
      expect(await runWorkers('condition-pingpong.mjs', data)).toEqual(['done', 'done']);
    }
  });

  it('runs a bounded producer/consumer queue: every item delivered exactly once', async () => {
    const mutex = new Mutex();
    const notEmpty = new Condition(mutex);
    const notFull = new Condition(mutex);
    const capacity = 4;
    const queue = new SharedArrayBuffer(4 * (2 + capacity));
    const items = 1500;
    const base = { notEmpty, notFull, queue, capacity, items };
    const data = [
      { ...base, role: 'producer', async: false },
      { ...base, role: 'producer', async: true },
      { ...base, role: 'consumer', async: false },
      { ...base, role: 'consumer', async: true },
    ];
    const results = await runWorkers<number>('condition-queue.mjs', data);
    const each = (items * (items + 1)) / 2;
    expect(results[2]! + results[3]!).toBe(2 * each);
    expect(new Int32Array(queue)[1]).toBe(0);
  });

  it('an aborted waitAsync leaves nothing behind to swallow the notify meant for a later wait()', async () => {
    // The aborted wait's native entry stayed in the waiter list ahead of the blocking wait() that the
    // same thread made next; notify(1) woke the dead entry, whose pass-on callback could only run on
    // this thread's event loop, blocked in wait(): wait() slept to its timeout (forever without one).
    const cond = new Condition(new Mutex());
    const ready = new SharedArrayBuffer(4);
    const notifier = runWorkers('condition-notify-later.mjs', [{ cond, ready, delayMs: 50 }]);
    const guard = await cond.mutex.lockAsync();
    const controller = new AbortController();
    const aborted = cond.waitAsync(guard, { signal: controller.signal });
    await sleep(5);
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    Atomics.store(new Int32Array(ready), 0, 1);
    Atomics.notify(new Int32Array(ready), 0);
    const woken = cond.wait(guard, 3000);
    guard.unlock();
    expect(await notifier).toEqual(['notified']);
    expect(woken).toBe(true);
  });
});
