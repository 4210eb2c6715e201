// A ThreadPool after a running task is cancelled (its `timeoutMs` passes, or its signal aborts): the
// caller has its rejection at once, while the task gets 100 ms to stop by itself before its worker is
// terminated. Meanwhile that worker is no longer busy with anything the caller is waiting for, so it
// must not count against `maxQueue`, and the work submitted then must start as soon as the worker is
// free again: on it, if the task stopped in time, or on its replacement.
import { describe, expect, it } from 'vitest';
import { QueueFullError, ThreadPool, TimeoutError } from 'threadkit/thread';
import { uninterruptible, watchdog } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Never returns, and never yields to see its signal: its worker is terminated after the grace. */
function spin(): never {
  for (;;);
}

/** The thread id of the worker it runs on. */
async function workerId(): Promise<number> {
  return (await import('threadkit/thread')).currentThread().threadId;
}

describe('ThreadPool after a cancelled task', () => {
  it('a worker whose timed-out task is still stopping does not count against maxQueue', async () => {
    await using pool = new ThreadPool({ size: 1, maxQueue: 0 });
    await expect(watchdog(pool.run(spin, { timeoutMs: 50 }))).rejects.toBeInstanceOf(TimeoutError);
    // Nothing the caller submitted is pending: the next task is accepted (it was rejected with
    // QueueFullError, "1 task running", for the 100 ms the timed-out task had to stop), and a second
    // one is over the limit, as on an idle pool of one worker with maxQueue 0.
    const next = pool.run(() => 'next');
    await expect(pool.run(() => 'over')).rejects.toThrow(
      /is full: 1 task running on its 1 worker, 0 waiting to start \(maxQueue: 0\)$/,
    );
    expect(await watchdog(next)).toBe('next');
  });

  it('size + maxQueue tasks are accepted right after an abort, as on an idle pool', async () => {
    await using pool = new ThreadPool({ size: 1, maxQueue: 1 });
    const started = new Int32Array(new SharedArrayBuffer(4));
    const ac = new AbortController();
    const spinning = pool
      .run(
        (flag: Int32Array) => {
          Atomics.store(flag, 0, 1);
          for (;;);
        },
        { args: [started], signal: ac.signal },
      )
      .catch((err: unknown) => err);
    while (Atomics.load(started, 0) === 0) await sleep(5);
    ac.abort(new Error('stop'));
    expect(await watchdog(spinning)).toEqual(new Error('stop'));
    // Was: the first accepted and the second rejected with QueueFullError, during the grace.
    const accepted = [pool.run(() => 'a'), pool.run(() => 'b')];
    await expect(pool.run(() => 'c')).rejects.toBeInstanceOf(QueueFullError);
    expect(await watchdog(Promise.all(accepted))).toEqual(['a', 'b']);
  });

  it('a task submitted while a cancelled one stops by itself runs on the same worker once it has', async () => {
    await using pool = new ThreadPool({ size: 1, maxQueue: 0 });
    const first = await watchdog(pool.run(workerId));
    const ac = new AbortController();
    const polite = pool
      .run(
        async () => {
          const { currentTask } = await import('threadkit/thread');
          const signal = currentTask()!.signal;
          await new Promise((r) => signal.addEventListener('abort', r));
          await new Promise((r) => setTimeout(r, 30)); // cleans up, within the 100 ms grace
          return 'dropped';
        },
        { signal: ac.signal },
      )
      .catch((err: unknown) => err);
    await sleep(50);
    ac.abort('halt');
    expect(await watchdog(polite)).toBe('halt');
    // Accepted, queued until the task above has stopped, then run on the worker it kept.
    expect(await watchdog(pool.run(workerId))).toBe(first);
  });

  it('a replacement starts when the grace ends, even if the cancelled worker cannot exit yet', async () => {
    // The cancelled task is inside a native call (spawnSync) that terminate() cannot interrupt: its
    // worker exits only when the call returns. The task queued behind it used to wait for that exit.
    const hold = uninterruptible();
    await using pool = new ThreadPool({ size: 1 });
    try {
      const ac = new AbortController();
      const blocked = pool
        .run(hold.task, { args: hold.args, signal: ac.signal })
        .catch((err: unknown) => err);
      await watchdog(hold.started);
      ac.abort(new Error('stop'));
      // Was: once the grace ended and its worker was terminated, the next task waited for that exit.
      expect(
        await watchdog(
          pool.run(() => 'next'),
          5_000,
        ),
      ).toBe('next');
      expect(await watchdog(blocked)).toEqual(new Error('stop'));
    } finally {
      hold.release();
    }
  });
});
