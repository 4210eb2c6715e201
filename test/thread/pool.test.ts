import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  PoolClosedError,
  QueueFullError,
  Thread,
  ThreadExitError,
  ThreadPool,
  TimeoutError,
} from 'threadkit/thread';
import { STRESS } from '../helpers/workers.js';
import { runFixture, uninterruptible, watchdog } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ThreadPool', () => {
  it('runs functions and module exports, reusing workers', async () => {
    await using pool = new ThreadPool({ size: 2 });
    expect(pool.size).toBe(2);
    expect(await watchdog(pool.run((a: number, b: number) => a + b, { args: [2, 3] }))).toBe(5);
    const url = new URL('../fixtures/thread/helper.cjs', import.meta.url);
    expect(await watchdog(pool.run(url, { export: 'triple', args: [3] }))).toBe(9);
    const ids = await watchdog(
      pool.map(
        async () => {
          const { threadId } = await import('node:worker_threads');
          return threadId;
        },
        Array.from({ length: 40 }, (_, i) => i),
      ),
    );
    expect(new Set(ids).size).toBeLessThanOrEqual(2);
    expect(await watchdog(pool.map((n: number) => n * n, [1, 2, 3]))).toEqual([1, 4, 9]);
  });

  it('a crashing task fails only itself; the pool replaces the worker', async () => {
    await using pool = new ThreadPool({ size: 1 });
    const before = pool.run(() => 'before');
    const crash = pool.run(() => process.exit(4));
    const after = pool.run(() => 'after');
    expect(await watchdog(before)).toBe('before');
    const err = (await watchdog(crash.catch((e: unknown) => e))) as ThreadExitError;
    expect(err).toBeInstanceOf(ThreadExitError);
    expect(err.exitCode).toBe(4);
    expect(await watchdog(after)).toBe('after');
    expect(await watchdog(pool.run(() => 'still serving'))).toBe('still serving');
    await expect(watchdog(pool.run(() => Promise.reject(new RangeError('r'))))).rejects.toBeInstanceOf(
      RangeError,
    );
  });

  it('timeoutMs counts from start; it stops a running task and replaces its worker', async () => {
    await using pool = new ThreadPool({ size: 1 });
    const busy = pool.run(() => new Promise((r) => setTimeout(() => r('busy'), 150)));
    // Queued behind `busy` for ~150 ms, then runs for ~20 ms: within its 100 ms limit.
    const queued = pool.run(() => new Promise((r) => setTimeout(() => r('ok'), 20)), { timeoutMs: 100 });
    const stuck = pool.run(
      () => {
        for (;;);
      },
      { timeoutMs: 50 },
    );
    expect(await watchdog(busy)).toBe('busy');
    expect(await watchdog(queued)).toBe('ok');
    await expect(watchdog(stuck)).rejects.toBeInstanceOf(TimeoutError);
    expect(await watchdog(pool.run(() => 'next'))).toBe('next');
  });

  it('timeoutMs does not count while the worker is still busy with what an earlier task left running', async () => {
    await using pool = new ThreadPool({ size: 1 });
    // A task returns, leaving a callback that blocks its worker for 500 ms.
    const leftover = () => {
      setTimeout(() => {
        const end = Date.now() + 500;
        while (Date.now() < end);
      }, 0);
      return 'returned';
    };
    expect(await watchdog(pool.run(leftover))).toBe('returned');
    await sleep(100); // the worker is in that callback now
    // Sent to the worker (idle, for the pool) at once, but it starts only when the callback ends, ~400
    // ms later: within twice its limit, how long it may wait to start. Its limit used to count from the
    // send, and rejected it at ~300 ms with a TimeoutError: it never ran.
    expect(await watchdog(pool.run(() => 'ran', { timeoutMs: 300 }))).toBe('ran');
    // A task that does run too long is still stopped.
    const stuck = pool.run(
      () => {
        for (;;);
      },
      { timeoutMs: 50 },
    );
    await expect(watchdog(stuck)).rejects.toBeInstanceOf(TimeoutError);
  });

  it('timeoutMs rejects a task that cannot start: its worker never returns from what an earlier task left', async () => {
    const pool = new ThreadPool({ size: 1 });
    try {
      // A task returns, leaving a callback that never returns: the worker is wedged for good.
      const wedges = () => {
        setTimeout(() => {
          for (;;);
        }, 10);
        return 'returned';
      };
      expect(await watchdog(pool.run(wedges))).toBe('returned');
      await sleep(50); // the worker is in that callback now
      // It never starts. Its timer used to look again a limit later, for ever: it never settled.
      const sent = performance.now();
      const task = pool.run(() => 2, { timeoutMs: 200 }).catch((e: unknown) => e);
      const err = (await watchdog(task, 5000)) as Error;
      expect(err).toBeInstanceOf(TimeoutError);
      expect(err.message).toMatch(/^Task did not start within 400 ms \(twice its timeoutMs\) of being sent/);
      expect(performance.now() - sent).toBeGreaterThanOrEqual(390);
      // The wedged worker was replaced.
      expect(
        await watchdog(
          pool.run(() => 'next'),
          5000,
        ),
      ).toBe('next');
    } finally {
      await watchdog(pool.destroy(), 5000);
    }
  });

  it('abort removes a queued task and stops a running one; the task sees the signal', async () => {
    await using pool = new ThreadPool({ size: 1 });
    const ac = new AbortController();
    const running = pool.run(
      async () => {
        const { currentTask } = await import('threadkit/thread');
        const signal = currentTask()!.signal;
        await new Promise((r) => signal.addEventListener('abort', r));
        return 'saw abort';
      },
      { signal: ac.signal },
    );
    const queuedAc = new AbortController();
    const queued = pool.run(() => 'never', { signal: queuedAc.signal });
    await sleep(50);
    queuedAc.abort(new Error('dequeued'));
    await expect(watchdog(queued)).rejects.toThrow('dequeued');
    ac.abort(new Error('stop'));
    await expect(watchdog(running)).rejects.toThrow('stop');
    const hard = new AbortController();
    const spinning = pool.run(
      () => {
        for (;;);
      },
      { signal: hard.signal },
    );
    await sleep(30);
    hard.abort('halt');
    await expect(watchdog(spinning)).rejects.toBe('halt');
    expect(await watchdog(pool.run(() => 'alive'))).toBe('alive');
    await expect(pool.run(() => 1, { signal: AbortSignal.abort('pre') })).rejects.toBe('pre');
  });

  it('maxQueue bounds the queue', async () => {
    await using pool = new ThreadPool({ size: 1, maxQueue: 1 });
    const a = pool.run(() => new Promise((r) => setTimeout(() => r('a'), 50)));
    const b = pool.run(() => 'b');
    await expect(pool.run(() => 'c')).rejects.toBeInstanceOf(QueueFullError);
    expect(await watchdog(Promise.all([a, b]))).toEqual(['a', 'b']);
  });

  it('QueueFullError states the running and waiting tasks against the limits', async () => {
    const full = (pool: ThreadPool) => pool.run(() => 0).catch((e: Error) => e.message);
    // A fresh pool: both tasks go to the two workers it is about to start; none waits (was "2 queued").
    await using two = new ThreadPool({ size: 2, maxQueue: 0 });
    const pair = [two.run(() => 1), two.run(() => 2)];
    expect(await full(two)).toMatch(
      /^ThreadPool-\d+ is full: 2 tasks running on its 2 workers, 0 waiting to start \(maxQueue: 0\)$/,
    );
    await using one = new ThreadPool({ size: 1, maxQueue: 1 });
    const slow = one.run(() => new Promise((r) => setTimeout(r, 300)));
    const next = one.run(() => 3);
    // Before the first dispatch (was "2 tasks queued (maxQueue: 1)").
    expect(await full(one)).toMatch(
      /^ThreadPool-\d+ is full: 1 task running on its 1 worker, 1 waiting to start \(maxQueue: 1\)$/,
    );
    await sleep(20); // both went to the worker, in one batch: `next` still waits there, behind `slow`
    expect(await full(one)).toMatch(
      /^ThreadPool-\d+ is full: 1 task running on its 1 worker, 1 waiting to start \(maxQueue: 1\)$/,
    );
    await watchdog(Promise.all([...pair, slow, next]));
  });

  it('maxQueue counts the tasks sent to a worker ahead of time as waiting, until they start', async () => {
    // The worker's first task blocks it until released; nothing finishes meanwhile.
    const gate = new Int32Array(new SharedArrayBuffer(4));
    const open = () => (Atomics.store(gate, 0, 1), Atomics.notify(gate, 0));
    await using pool = new ThreadPool({ size: 1, maxQueue: 10 });
    try {
      const accepted: Promise<unknown>[] = [
        pool.run((g: Int32Array) => void Atomics.wait(g, 0, 0, 10_000), { args: [gate] }),
      ];
      for (let i = 0; i < 10; i++) accepted.push(pool.run((n: number) => n, { args: [i] }));
      await expect(pool.run(() => 0)).rejects.toBeInstanceOf(QueueFullError);
      await sleep(20);
      // All 11 went to the worker in one batch and left the queue: 10 more used to be accepted (and
      // more batches after them, up to the worker's pipeline), although all waited behind the first.
      const outcomes = Array.from({ length: 10 }, () => pool.run(() => 0).catch((e: unknown) => e));
      const settled = await Promise.race([Promise.all(outcomes), sleep(50).then(() => 'some accepted')]);
      expect(settled).toHaveLength(10);
      for (const outcome of settled) expect(outcome).toBeInstanceOf(QueueFullError);
      open();
      expect(await watchdog(Promise.all(accepted))).toEqual([undefined, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      // Once they ran, there is room again.
      expect(await watchdog(pool.run(() => 'room'))).toBe('room');
    } finally {
      open();
    }
  });

  it('any number of tasks may share a signal: one listener, no warning, removed when they settle', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      await using pool = new ThreadPool({ size: 2 });
      const ac = new AbortController();
      const runs = Array.from({ length: 30 }, (_, i) =>
        pool.run((n: number) => n, { args: [i], signal: ac.signal }),
      );
      expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
      expect(await watchdog(Promise.all(runs))).toHaveLength(30);
      expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
      const items = Array.from({ length: 50 }, (_, i) => i);
      expect(await watchdog(pool.map((n: number) => n + 1, items, { signal: ac.signal }))).toHaveLength(50);
      expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
      // An abort still reaches every task that shares the signal.
      const stopped = Array.from({ length: 20 }, () =>
        pool
          .run(() => new Promise((r) => setTimeout(r, 5000)), { signal: ac.signal })
          .catch((e: unknown) => e),
      );
      await sleep(20);
      ac.abort('all of them');
      expect(await watchdog(Promise.all(stopped))).toEqual(Array.from({ length: 20 }, () => 'all of them'));
      await sleep(10); // warnings are emitted on a later tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
  });

  it('a long-lived signal shared by many sequential runs keeps no listener', async () => {
    await using pool = new ThreadPool({ size: 1 });
    const signal = new AbortController().signal;
    const n = STRESS ? 100_000 : 3_000;
    let most = 0;
    for (let i = 0; i < n; i++) {
      await pool.run(() => 1, { signal });
      most = Math.max(most, getEventListeners(signal, 'abort').length);
    }
    expect(most).toBe(0);
  }, 120_000);

  it("a task that kills its worker fails with the worker's error in the message, and as cause", async () => {
    await using pool = new ThreadPool({ size: 1 });
    const err = (await watchdog(
      pool
        .run(
          () =>
            new Promise(() => {
              setTimeout(() => {
                throw new Error('pool async boom');
              });
            }),
        )
        .catch((e: unknown) => e),
    )) as ThreadExitError;
    expect(err).toBeInstanceOf(ThreadExitError);
    expect(err.message).toBe('Pool worker exited with code 1 while running this task: pool async boom');
    expect((err.cause as Error).message).toBe('pool async boom');
    expect(await watchdog(pool.run(() => 'replaced'))).toBe('replaced');
  });

  it('idle workers exit after idleTimeoutMs and come back on demand', async () => {
    await using pool = new ThreadPool({ size: 1, idleTimeoutMs: 30 });
    const first = await watchdog(pool.run(async () => (await import('node:worker_threads')).threadId));
    await sleep(200);
    const second = await watchdog(pool.run(async () => (await import('node:worker_threads')).threadId));
    expect(second).not.toBe(first);
  });

  it('close() finishes queued work; destroy() rejects pending; both refuse new work', async () => {
    const pool = new ThreadPool({ size: 1 });
    const queued = [pool.run(() => 1), pool.run(() => new Promise((r) => setTimeout(() => r(2), 30)))];
    await watchdog(pool.close());
    expect(await Promise.all(queued)).toEqual([1, 2]);
    await expect(pool.run(() => 3)).rejects.toBeInstanceOf(PoolClosedError);
    const doomed = new ThreadPool({ size: 1 });
    const spin = doomed.run(() => {
      for (;;);
    });
    const waiting = doomed.run(() => 1);
    const outcomes = Promise.all([spin, waiting].map((p) => p.catch((e: unknown) => e)));
    await sleep(30);
    await watchdog(doomed.destroy());
    const [spun, waited] = await outcomes;
    expect(spun).toBeInstanceOf(PoolClosedError);
    expect(waited).toBeInstanceOf(PoolClosedError);
  });

  it("destroy()'s documented use: a running task's rejection, handled first, is not unhandled", async () => {
    const { stdout, stderr, code } = await runFixture('destroy-running.mjs');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe('PoolClosedError\n');
  });

  it('every close() and destroy() call resolves, however they overlap', async () => {
    const slow = () => new Promise((r) => setTimeout(() => r('slow'), 50));
    // Two close() calls (an explicit close() inside `await using`, say): the first used to wait forever.
    const twice = new ThreadPool({ size: 1 });
    const task = twice.run(slow);
    expect(await watchdog(Promise.all([twice.close(), twice.close(), task]), 3000)).toEqual([
      undefined,
      undefined,
      'slow',
    ]);
    // destroy() while close() waits for a task not yet dispatched: close() used to wait forever.
    const overlapped = new ThreadPool({ size: 1 });
    const dropped = overlapped.run(slow).catch((e: unknown) => e);
    const closing = overlapped.close();
    await watchdog(Promise.all([overlapped.destroy(), closing]), 3000);
    expect(await dropped).toBeInstanceOf(PoolClosedError);
  });

  it('every destroy() and close() call resolves only once the workers have exited', async () => {
    /** Whether each of `calls` has resolved after `ms` (they may not before the worker exits). */
    const resolvedAfter = async (calls: Promise<void>[], ms: number) => {
      const done = calls.map(() => false);
      calls.forEach((call, i) => void call.then(() => (done[i] = true)));
      await sleep(ms);
      return done;
    };
    // A worker that cannot exit until released (it is inside a native call terminate() waits for).
    const held = uninterruptible();
    const pool = new ThreadPool({ size: 1 });
    const task = pool.run(held.task, { args: held.args }).catch((e: unknown) => e);
    await watchdog(held.started);
    const calls = [pool.destroy(), pool.destroy(), pool.close()];
    // The second destroy() and the close() used to resolve at once: the first call had emptied the
    // list of workers to wait for.
    expect(await resolvedAfter(calls, 50)).toEqual([false, false, false]);
    held.release();
    await watchdog(Promise.all(calls));
    expect(await task).toBeInstanceOf(PoolClosedError);

    // A worker the pool already let go of (its task timed out and would not stop) is waited for too.
    // The worker is up first, and the task goes straight into its native call: with `timeoutMs: 1` and
    // a cold worker, a loaded machine let the limit pass before the task got there (an `await import()`
    // first), so the pool cancelled it and the child process never started.
    const stuck = uninterruptible();
    const timed = new ThreadPool({ size: 1 });
    await watchdog(timed.run(() => 0));
    const stuckNow = async (script: string, dir: string) => {
      // Node >= 20.16 has getBuiltinModule (no await before the call); older ones import.
      const cp =
        typeof process.getBuiltinModule === 'function'
          ? process.getBuiltinModule('node:child_process')
          : await import('node:child_process');
      cp.spawnSync(process.execPath, [script, dir]);
    };
    const late = timed.run(stuckNow, { args: stuck.args, timeoutMs: 250 }).catch((e: unknown) => e);
    await watchdog(stuck.started);
    expect(await watchdog(late)).toBeInstanceOf(TimeoutError);
    await sleep(150); // past the grace a cancelled task has to stop: the worker is being terminated
    expect(await resolvedAfter([timed.destroy(), timed.close()], 50)).toEqual([false, false]);
    stuck.release();
    await watchdog(Promise.all([timed.destroy(), timed.close()]));
  });

  it('a worker the runtime cannot create fails the waiting tasks, as Thread.start() throws (no crash)', async () => {
    // A stack the OS cannot give a thread: `new Worker()` throws ERR_WORKER_INIT_FAILED (EAGAIN). The
    // pool created its workers in a microtask or a message handler, so this was an uncaught exception.
    const resourceLimits = { stackSizeMb: 1e9 };
    let launchError: unknown;
    try {
      new Thread(() => 1, { resourceLimits }).start();
    } catch (err) {
      launchError = err;
    }
    expect((launchError as { code?: string })?.code).toBe('ERR_WORKER_INIT_FAILED');
    const pool = new ThreadPool({ size: 2, resourceLimits });
    const outcomes = await watchdog(
      Promise.all(
        [pool.run(() => 1), pool.map((n: number) => n, [1, 2, 3])].map((p) => p.catch((e: unknown) => e)),
      ),
      3000,
    );
    for (const err of outcomes) expect(err).toMatchObject({ code: 'ERR_WORKER_INIT_FAILED' });
    await watchdog(pool.close(), 3000);
  });

  it('checks its arguments', async () => {
    expect(() => new ThreadPool({ size: 0 })).toThrow(/Expected `size` to be an integer >= 1, got 0/);
    expect(() => new ThreadPool({ maxQueue: -1 })).toThrow(RangeError);
    expect(() => new ThreadPool({ idleTimeoutMs: 'x' as never })).toThrow(TypeError);
    expect(() => new ThreadPool({ startupTimeoutMs: '5s' as never })).toThrow(
      new TypeError('Expected `startupTimeoutMs` to be a number of milliseconds, got "5s"'),
    );
    expect(() => new ThreadPool({ startupTimeoutMs: -1 })).toThrow(
      /^Expected `startupTimeoutMs` to be a non-negative number of milliseconds, got -1$/,
    );
    // No worker is up at 0 ms: every task would fail.
    expect(() => new ThreadPool({ startupTimeoutMs: 0 })).toThrow(
      new RangeError('Expected `startupTimeoutMs` to be a positive number of milliseconds, got 0'),
    );
    await using patient = new ThreadPool({ size: 1, startupTimeoutMs: Infinity });
    expect(await watchdog(patient.run(() => 'no startup limit'))).toBe('no startup limit');
    // A stack under ~0.24 MB crashed the whole process once a worker started (a Node bug): refused.
    expect(() => new ThreadPool({ resourceLimits: { stackSizeMb: 0.2 } })).toThrow(
      new RangeError(
        'Expected `resourceLimits.stackSizeMb` to be at least 0.5 (MB; a smaller stack crashes Node), got 0.2',
      ),
    );
    await using small = new ThreadPool({ size: 1, resourceLimits: { stackSizeMb: 0.5 } });
    expect(await watchdog(small.run(() => 'runs'))).toBe('runs');
    await using pool = new ThreadPool({ size: 1 });
    await expect(pool.run(5 as never)).rejects.toThrow(/Expected `target`/);
    await expect(pool.run(() => 1, { timeoutMs: Number.NaN })).rejects.toBeInstanceOf(RangeError);
    await expect(pool.map((x: number) => x, 3 as never)).rejects.toThrow(/Expected `items` to be iterable/);
    // A `for await` source (a stream, readline, an async generator) used to get only "got an object".
    async function* rows() {
      yield await Promise.resolve(1);
    }
    await expect(pool.map((x: number) => x, rows() as never)).rejects.toThrow(
      /^Expected `items` to be iterable, got an object \(an async iterable: map\(\) takes a sync one; collect the items first/,
    );
    // Array.prototype.map's (item, index): plain JavaScript would get index undefined, silently.
    const withIndex = (x: number, i: number) => x * i;
    await expect(pool.map(withIndex as never, [1, 2])).rejects.toThrow(
      /^Expected `fn` to take one parameter, the item, got a function of 2: map\(\) passes only the item/,
    );
    expect(
      await watchdog(
        pool.map(
          ([x, i]: number[]) => x! * i!,
          Array.from([5, 6], (x, i) => [x, i]),
        ),
      ),
    ).toEqual([0, 6]);
    const gen = function* (n: number) {
      yield n;
    };
    await expect(pool.run(gen, { args: [1] })).rejects.toThrow(
      /^Expected `target` to be a function that returns its result, got a generator function/,
    );
    await expect(pool.map(gen, [1])).rejects.toThrow(
      /^Expected `fn` to be a function that returns its result, got a generator function/,
    );
  });
});

describe('ThreadPool options', () => {
  it('refuses an unknown option key with a TypeError naming it, and suggests the known one', async () => {
    expect(() => new ThreadPool({ maxThreads: 4 } as never)).toThrow(TypeError);
    expect(() => new ThreadPool({ maxThreads: 4 } as never)).toThrow(
      'Unknown option `maxThreads` in `options` of new ThreadPool(); did you mean `size`? (known: idleTimeoutMs, maxQueue, resourceLimits, size, startupTimeoutMs)',
    );
    expect(() => new ThreadPool({ idleTimeout: 10 } as never)).toThrow(/did you mean `idleTimeoutMs`\?/);
    expect(() => new ThreadPool({ maxQueueSize: 10 } as never)).toThrow(/did you mean `maxQueue`\?/);
    await using pool = new ThreadPool({ size: 1, idleTimeoutMs: 1000, maxQueue: 8, resourceLimits: {} });
    expect(pool.size).toBe(1);
    await expect(pool.run(() => 1, { timeout: 50 } as never)).rejects.toThrow(TypeError);
    await expect(pool.run(() => 1, { timeout: 50 } as never)).rejects.toThrow(
      'Unknown option `timeout` in `options` of ThreadPool.run(); did you mean `timeoutMs`? (known: args, export, signal, timeoutMs, transfer)',
    );
    const signal = new AbortController().signal;
    await expect(pool.map((x: number) => x, [1], { sigal: signal } as never)).rejects.toThrow(
      'Unknown option `sigal` in `options` of ThreadPool.map(); did you mean `signal`? (known: signal)',
    );
    const run = pool.run((a: number) => a * 2, { args: [21], transfer: [], signal, timeoutMs: 10_000 });
    expect(await watchdog(run)).toBe(42);
    expect(await watchdog(pool.map((x: number) => x + 1, [1, 2], { signal }))).toEqual([2, 3]);
  });
});

describe('process lifetime', () => {
  it('a script that forgets close() still exits', async () => {
    const { stdout, code } = await runFixture('forgets-close.cjs');
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('42');
  });

  it('a script that uses pools, threads and every lock, and closes nothing, exits on its own', async () => {
    const { stdout, code } = await runFixture('exits-on-its-own.mjs', [], 20_000);
    expect(code).toBe(0);
    const [results, exit] = stdout.trim().split('\n');
    const r = JSON.parse(results!) as { failures: string[]; wins: string[]; joined: number; sum: number };
    expect([r.sum, r.joined]).toEqual([5, 42]);
    expect(r.failures).toHaveLength(11);
    expect(r.wins).toEqual(['sem', 'rw', 'event', 'latch', 'q', 'once']);
    // Nothing may hold the event loop once the work is done: the exit comes at once, not after a timer.
    expect(Number(/^exit (\d+)$/.exec(exit!)?.[1])).toBeLessThan(500);
  });

  it('a running non-daemon thread keeps the process alive; a daemon one does not', async () => {
    const [normal, daemon] = await Promise.all([
      runFixture('keeps-alive.cjs'),
      runFixture('keeps-alive.cjs', ['daemon']),
    ]);
    expect(Number(normal.stdout)).toBeGreaterThanOrEqual(380);
    expect(Number(daemon.stdout)).toBeLessThan(380);
  });
});
