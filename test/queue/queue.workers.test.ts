import { describe, expect, it } from 'vitest';
import { Queue } from '../../src/queue/index.js';
import { whenReady } from '../helpers/toolbox-ready.js';
import { runWorkers, sleep, withWatchdog } from '../helpers/toolbox-workers.js';

interface Consumed {
  readonly got: number;
  readonly outOfOrder: number;
}

/**
 * `producers` threads put `count` values each while `consumers` threads take them; the main thread
 * closes the queue once every producer is done and checks each value was got exactly once.
 */
async function mpmc(
  queue: Queue<number>,
  producers: readonly string[],
  consumers: readonly string[],
  count: number,
  { watchdogMs = 20_000, objects = false, timeoutMs = 1 } = {},
): Promise<void> {
  const total = producers.length * count;
  const seen = new SharedArrayBuffer(total * 4);
  const common = { queue, count, producers: producers.length, seen, objects, timeoutMs };
  const consuming = runWorkers<Consumed>(
    'queue-mpmc.mjs',
    consumers.map((mode, id) => ({ ...common, role: 'consumer', id, mode })),
    { watchdogMs },
  );
  await runWorkers(
    'queue-mpmc.mjs',
    producers.map((mode, id) => ({ ...common, role: 'producer', id, mode })),
    { watchdogMs },
  );
  queue.close();
  const results = await consuming;
  expect(results.reduce((n, r) => n + r.got, 0)).toBe(total);
  expect(results.map((r) => r.outOfOrder)).toEqual(consumers.map(() => 0));
  const counts = new Int32Array(seen);
  const wrong = counts.findIndex((c) => c !== 1);
  expect(wrong === -1 ? 'every value once' : `value ${wrong} seen ${counts[wrong]} times`).toBe(
    'every value once',
  );
  expect(queue.size).toBe(0);
}

describe('Queue (worker threads, built package)', () => {
  it('4 producers × 4 consumers × 10 000 values: each got exactly once, in order per producer', async () => {
    const modes = ['blocking', 'async', 'timed', 'blocking'];
    await mpmc(new Queue<number>(64), modes, ['blocking', 'async', 'timed', 'async'], 10_000);
  });

  it('objects (compact and v8 encodings mixed), tiny queue, timed waits racing puts: each got exactly once', async () => {
    // Capacity 2 makes every getter and putter wait, spin and park over and over; the 0.05 ms timed
    // waits end in the middle of puts and gets (raw-queue I3, I5).
    const modes = ['timed', 'blocking', 'async', 'timed'];
    const options = { objects: true, timeoutMs: 0.05 };
    await mpmc(new Queue<number>(2), modes, ['timed', 'timed', 'blocking', 'async'], 4000, options);
  });

  it('waits for bytes as well as slots: a tiny data area wraps around constantly', async () => {
    // Each number encodes to 6 bytes, so 40 bytes hold only a handful of values.
    await mpmc(new Queue<number>(1000, { maxBytes: 40 }), ['blocking', 'async'], ['blocking', 'async'], 3000);
  });

  it('hands a value put by the main thread to a getter blocked in another thread', async () => {
    for (const op of ['get', 'getAsync']) {
      const queue = new Queue<{ n: number }>(2);
      const ready = new SharedArrayBuffer(4);
      const waiting = runWorkers('queue-wait.mjs', [{ queue, ready, op }]);
      await whenReady(ready, 1);
      queue.put({ n: 7 });
      expect(await waiting).toEqual([{ value: { n: 7 } }]);
    }
  });

  it('close() wakes getters blocked on an empty queue, which then throw QueueClosedError', async () => {
    const queue = new Queue(2);
    const ready = new SharedArrayBuffer(4);
    const ops = ['get', 'getAsync', 'get', 'getAsync'];
    const waiting = runWorkers(
      'queue-wait.mjs',
      ops.map((op) => ({ queue, ready, op })),
    );
    await whenReady(ready, ops.length);
    queue.close();
    expect(await waiting).toEqual(ops.map(() => ({ error: 'ERR_QUEUE_CLOSED' })));
  });

  it('close() wakes putters blocked on a full queue; what was queued is still delivered', async () => {
    const queue = new Queue<string>(1);
    queue.put('first');
    const ready = new SharedArrayBuffer(4);
    const ops = ['put', 'putAsync'];
    const waiting = runWorkers(
      'queue-wait.mjs',
      ops.map((op) => ({ queue, ready, op, value: 'late' })),
    );
    await whenReady(ready, ops.length);
    queue.close();
    expect(await waiting).toEqual(ops.map(() => ({ error: 'ERR_QUEUE_CLOSED' })));
    expect(queue.get()).toBe('first');
    expect(() => queue.get()).toThrow(expect.objectContaining({ code: 'ERR_QUEUE_CLOSED' }));
  });

  it('a get in the main thread makes room for a putter blocked in another thread', async () => {
    const queue = new Queue<string>(1);
    queue.put('a');
    const ready = new SharedArrayBuffer(4);
    const waiting = runWorkers('queue-wait.mjs', [{ queue, ready, op: 'put', value: 'b' }]);
    await whenReady(ready, 1);
    expect(queue.get()).toBe('a');
    expect(await withWatchdog(waiting, 5000, 'the putter')).toEqual([{ value: 'put' }]);
    expect(queue.get()).toBe('b');
  });

  describe('an aborted async wait leaves nothing behind to swallow the wake-up meant for a blocking wait after it', () => {
    // The aborted wait's native entry stayed in the waiter list ahead of the blocking call the same
    // thread made next. For gets, a put's notify(1) woke the dead entry, whose pass-on callback could only
    // run on this thread's event loop, blocked in the get: the get slept to its timeout, or forever
    // (raw-queue I6). A get wakes every putter, so puts were not stranded; the test keeps it that way.

    /** Aborts `wait` after it parked, then releases the worker, which acts `delayMs` later. */
    async function abortThenRelease(
      wait: (signal: AbortSignal) => Promise<unknown>,
      ready: SharedArrayBuffer,
    ) {
      const controller = new AbortController();
      const aborted = wait(controller.signal);
      await sleep(5);
      controller.abort(new Error('stop'));
      await expect(aborted).rejects.toThrow('stop');
      Atomics.store(new Int32Array(ready), 0, 1);
      Atomics.notify(new Int32Array(ready), 0);
    }

    it('getAsync, then a blocking get on the same thread: a put in another thread wakes the get', async () => {
      const queue = new Queue<string>(4);
      const ready = new SharedArrayBuffer(4);
      const putter = runWorkers('queue-later.mjs', [{ queue, ready, delayMs: 50, op: 'put', value: 'x' }]);
      await abortThenRelease((signal) => queue.getAsync({ signal }), ready);
      const t0 = performance.now();
      const got = queue.tryGet(2000); // without the eviction: woken by nothing, it re-checks at 2 s
      const waitedMs = performance.now() - t0;
      expect(await putter).toEqual(['put']);
      expect(got).toEqual({ value: 'x' });
      expect(waitedMs).toBeLessThan(1500); // the put comes after 50 ms
    });

    it('putAsync, then a blocking put on the same thread: a get in another thread wakes the put', async () => {
      const queue = new Queue<string>(1);
      queue.put('a');
      const ready = new SharedArrayBuffer(4);
      const getter = runWorkers('queue-later.mjs', [{ queue, ready, delayMs: 50, op: 'get' }]);
      await abortThenRelease((signal) => queue.putAsync('b', { signal }), ready);
      const t0 = performance.now();
      const put = queue.tryPut('c', 2000);
      const waitedMs = performance.now() - t0;
      expect(await getter).toEqual(['a']);
      expect(put).toBe(true);
      expect(waitedMs).toBeLessThan(1500); // the get comes after 50 ms
      expect(queue.get()).toBe('c');
    });
  });
});
