import { describe, expect, it } from 'vitest';
import { Condition } from '../../src/condition/index.js';
import { Mutex } from '../../src/mutex/index.js';
import { runWorkers } from '../helpers/toolbox-workers.js';

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
});
