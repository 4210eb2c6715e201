// A thread's error that the program never looks at is reported once as a process warning, as Python's
// threading.excepthook prints it; one the program sees (join, joinSync, result, error) within the grace
// period, or caused itself (terminate, its signal), is not. The tests of each group run concurrently:
// each waits out the grace period, and each looks only at the reports about its own threads' names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Thread, ThreadExitError, ThreadPool, spawn } from 'threadkit/thread';
import { runFixture, watchdog } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const warnings: Error[] = [];
const onWarning = (warning: Error) => {
  if (warning.name === 'UnhandledThreadError') warnings.push(warning);
};
beforeAll(() => {
  process.on('warning', onWarning);
});
afterAll(() => {
  process.off('warning', onWarning);
});

/** The reports about the thread named `name`. */
const reports = (name: string) =>
  warnings.filter((w) => w.message.startsWith(`Exception in thread ${name}:\n`));

/**
 * Resolves once `thread` has finished, without looking at its outcome. It polls once per turn of the
 * event loop (setImmediate), so it resolves in the very turn the thread settled in: code after it
 * runs before the end of that turn, where the unhandled check happens.
 */
async function settled(thread: Thread): Promise<void> {
  await watchdog(
    (async () => {
      while (thread.isAlive) await new Promise((r) => setImmediate(r));
    })(),
  );
}

/** How long a failure waits to be seen before it is reported (REPORT_GRACE_MS in src/thread/unhandled.ts). */
const GRACE_MS = 1000;
/** Long enough for a failure's grace period to have passed, and its report to have been made. */
const afterGrace = () => sleep(GRACE_MS + 100);

describe.concurrent('an error in a thread nobody joins', () => {
  it('is reported once, as a warning naming the thread, with the error as its cause', async () => {
    const thread = new Thread(
      () => {
        throw new RangeError('nobody joins me');
      },
      { name: 'unjoined' },
    ).start();
    await settled(thread);
    await afterGrace();
    const [report, ...more] = reports('unjoined');
    expect(more).toEqual([]);
    expect(report!.message).toMatch(/^Exception in thread unjoined:\nRangeError: nobody joins me\n\s+at /);
    // The stack is the thread's followed by where it was started, as join() would have rejected with.
    expect(report!.message).toContain('unhandled.test.ts');
    expect(report!.cause).toBeInstanceOf(RangeError);
    expect(report!.cause).toBe(thread.error);
    await sleep(100);
    expect(reports('unjoined')).toHaveLength(1);
  });

  it('covers spawn(), rejected promises, threads that die, and daemon threads', async () => {
    const rejected = spawn(() => Promise.reject(new TypeError('rejected in the thread')));
    const died = spawn(() => process.exit(3));
    const daemon = new Thread(
      () => {
        throw new Error('daemon failed');
      },
      { name: 'unjoined-daemon', daemon: true },
    ).start();
    for (const thread of [rejected, died, daemon]) await settled(thread);
    await afterGrace();
    expect(rejected.name).toMatch(/^Thread-\d+$/);
    expect(reports(rejected.name).map((w) => w.message.split('\n')[1])).toEqual([
      'TypeError: rejected in the thread',
    ]);
    expect(reports(died.name).map((w) => w.message.split('\n')[1])).toEqual([
      `ThreadExitError: ${died.name} exited with code 3 before its target settled`,
    ]);
    expect(reports('unjoined-daemon').map((w) => w.message.split('\n')[1])).toEqual(['Error: daemon failed']);
  });

  it('a join() after the report still rejects with the error; the report is not repeated', async () => {
    const thread = new Thread(
      () => {
        throw new Error('joined late');
      },
      { name: 'joined-late' },
    ).start();
    await settled(thread);
    await afterGrace();
    expect(reports('joined-late')).toHaveLength(1);
    await expect(thread.join()).rejects.toThrow('joined late');
    expect(() => thread.joinSync()).toThrow('joined late');
    await sleep(100);
    expect(reports('joined-late')).toHaveLength(1);
  });

  it('a timed-out join() does not count as looking at an error that comes later', async () => {
    const thread = new Thread(
      () => new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 100)),
      {
        name: 'timed-out-join',
      },
    ).start();
    await expect(thread.join(1)).rejects.toThrow(/did not finish within 1 ms/);
    await settled(thread);
    await afterGrace();
    expect(reports('timed-out-join')).toHaveLength(1);
  });
});

describe.concurrent('no report when the program sees the error in time, or ended the thread itself', () => {
  const failing = (name: string) =>
    new Thread(
      (who: string) => {
        throw new Error(`${who} failed`);
      },
      { name, args: [name] },
    ).start();

  it('join() pending before the failure', async () => {
    const thread = failing('joined-before');
    await expect(watchdog(thread.join())).rejects.toThrow('joined-before failed');
    await afterGrace();
    expect(reports('joined-before')).toEqual([]);
  });

  it('join() called later, after awaiting something else, within the grace period', async () => {
    const thread = failing('joined-later');
    await settled(thread);
    await sleep(200); // many turns of the event loop after the failure
    await expect(thread.join()).rejects.toThrow('joined-later failed');
    await afterGrace();
    expect(reports('joined-later')).toEqual([]);
  });

  it('join() called in the same turn of the event loop as the failure', async () => {
    const thread = failing('joined-soon');
    await settled(thread);
    const joined = thread.join();
    await expect(joined).rejects.toThrow('joined-soon failed');
    await afterGrace();
    expect(reports('joined-soon')).toEqual([]);
  });

  it('joinSync(), or reading result or error', async () => {
    const blocking = failing('joined-sync');
    expect(() => blocking.joinSync(10_000)).toThrow('joined-sync failed');
    // Each read in the turn its thread settled in (settled() returns in that turn), one at a time.
    const readResult = failing('read-result');
    await settled(readResult);
    expect(() => readResult.result).toThrow('read-result failed');
    const readError = failing('read-error');
    await settled(readError);
    expect(readError.error).toBeInstanceOf(Error);
    await afterGrace();
    expect(warnings.filter((w) => /in thread (joined-sync|read-result|read-error):/.test(w.message))).toEqual(
      [],
    );
  });

  it('terminate()', async () => {
    const thread = new Thread(() => new Promise(() => setInterval(() => {}, 1000)), {
      name: 'terminated',
    }).start();
    await sleep(20);
    await watchdog(thread.terminate());
    expect(thread.isAlive).toBe(false);
    await afterGrace();
    expect(reports('terminated')).toEqual([]);
    await expect(thread.join()).rejects.toBeInstanceOf(ThreadExitError);
  });

  it('an abort through the signal, before or after start()', async () => {
    const controller = new AbortController();
    const running = new Thread(() => new Promise(() => setInterval(() => {}, 1000)), {
      name: 'aborted',
      signal: controller.signal,
    }).start();
    await sleep(20);
    controller.abort(new Error('stop'));
    const early = new Thread(() => 1, { name: 'aborted-early', signal: controller.signal }).start();
    for (const thread of [running, early]) await settled(thread);
    await afterGrace();
    expect(warnings.filter((w) => /in thread aborted(-early)?:/.test(w.message))).toEqual([]);
  });

  it('an error start() threw, and a thread that succeeded', async () => {
    const unstartable = new Thread((f: () => number) => f(), { args: [() => 1], name: 'unstartable' });
    expect(() => unstartable.start()).toThrow();
    const fine = new Thread(() => 1, { name: 'succeeded' }).start();
    await settled(fine);
    await afterGrace();
    expect(warnings.filter((w) => /in thread (unstartable|succeeded):/.test(w.message))).toEqual([]);
  });
});

describe('an unjoined failing thread in a script', () => {
  it('prints the report to stderr, and the process still exits on its own with code 0', async () => {
    const { stdout, stderr, code } = await runFixture('unjoined-failure.mjs');
    expect(code).toBe(0);
    const [done, exit] = stdout.trim().split('\n');
    expect(done).toBe('main done');
    // Exits once the late thread has failed (~100 ms), not held up by anything.
    expect(Number(/^exit (\d+)$/.exec(exit!)?.[1])).toBeLessThan(1000);
    // Sorted: on a loaded machine the late thread's worker may start (and fail) first.
    const reported = stderr.match(/UnhandledThreadError: Exception in thread \S+:\n.*/g)?.sort();
    expect(reported).toEqual([
      'UnhandledThreadError: Exception in thread Thread-1:\nError: failed after main was done',
      'UnhandledThreadError: Exception in thread forgotten:\nRangeError: lost in the thread',
    ]);
  });

  it('reports one still unseen when process.exit() ends the script within its grace period', async () => {
    const { stdout, stderr, code } = await runFixture('unjoined-exit.mjs');
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('joined: joined after other work');
    const reported = stderr.match(/UnhandledThreadError: Exception in thread \S+:\n.*/g);
    expect(reported).toEqual([
      'UnhandledThreadError: Exception in thread Thread-1:\nError: lost before exit',
    ]);
  });
});

describe('an error that kills a worker after its work is done', () => {
  /** The reports of late errors (see unhandled.ts) about the thread named `name`. */
  const lateReports = (name: string) =>
    warnings.filter((w) => w.message.startsWith(`Exception in thread ${name} (`));
  /** Waits until `name` has a late report (the worker exits a little after the result arrives). */
  const reported = (name: string) =>
    watchdog(
      (async () => {
        while (lateReports(name).length === 0) await sleep(5);
      })(),
      5000,
    );

  it('is reported for a Thread whose result was already delivered', async () => {
    const thread = new Thread(
      () => {
        void Promise.reject(new RangeError('rejected after returning'));
        return 'returned';
      },
      { name: 'late-rejection' },
    ).start();
    expect(await watchdog(thread.join())).toBe('returned');
    await reported('late-rejection');
    const [report, ...more] = lateReports('late-rejection');
    expect(more).toEqual([]);
    expect(report!.message).toMatch(
      /^Exception in thread late-rejection \(after its target finished\):\nRangeError: rejected after returning\n/,
    );
    expect(report!.cause).toBeInstanceOf(Error);
    expect(thread.result).toBe('returned');
  });

  it('is reported for a pool worker that dies between tasks; the pool carries on', async () => {
    await using pool = new ThreadPool({ size: 1 });
    const leavesTimer = () => {
      setTimeout(() => {
        throw new Error('thrown by a leftover timer');
      }, 20);
      return 'returned';
    };
    expect(await watchdog(pool.run(leavesTimer))).toBe('returned');
    const poolWorker = /^Exception in thread \S+ \(a pool worker/;
    await watchdog(
      (async () => {
        while (!warnings.some((w) => poolWorker.test(w.message))) await sleep(5);
      })(),
      5000,
    );
    const late = warnings.filter((w) => poolWorker.test(w.message));
    expect(late).toHaveLength(1);
    expect(late[0]!.message).toMatch(
      /^Exception in thread ThreadPool-\d+-1 \(a pool worker, after its tasks finished\):\nError: thrown by a leftover timer\n/,
    );
    expect(await watchdog(pool.run(() => 2))).toBe(2);
  });

  it('is not reported when it fails a task the worker held, which had transferred objects', async () => {
    await using pool = new ThreadPool({ size: 1 });
    // A task returns, leaving a callback that blocks its worker for 300 ms and then kills it.
    const leavesTimer = () => {
      setTimeout(() => {
        const end = Date.now() + 300;
        while (Date.now() < end);
        throw new Error('killed a worker holding a transfer task');
      }, 0);
      return 'returned';
    };
    expect(await watchdog(pool.run(leavesTimer))).toBe('returned');
    await sleep(50); // the worker is in that callback now
    // Sent to the worker (idle, for the pool), not started when it dies: its buffer went with the
    // worker, so it fails with the error as its cause. That error used to be reported as well.
    const buffer = new ArrayBuffer(8);
    const moved = pool.run((b: ArrayBuffer) => b.byteLength, { args: [buffer], transfer: [buffer] });
    const err = (await watchdog(moved.catch((e: unknown) => e))) as ThreadExitError;
    expect(err).toBeInstanceOf(ThreadExitError);
    expect((err.cause as Error).message).toBe('killed a worker holding a transfer task');
    await sleep(200); // a late report would have come by now (it is made at once)
    expect(warnings.filter((w) => w.message.includes('killed a worker holding a transfer task'))).toEqual([]);
    expect(await watchdog(pool.run(() => 2))).toBe(2);
  });

  it('is not reported when it fails the task it happened in', async () => {
    await using pool = new ThreadPool({ size: 1 });
    const dies = () =>
      new Promise(() => {
        setTimeout(() => {
          throw new Error('thrown while the task runs');
        }, 1);
      });
    await expect(watchdog(pool.run(dies))).rejects.toThrow('thrown while the task runs');
    await sleep(200); // a late report would have come by now (it is made at once)
    expect(warnings.filter((w) => w.message.includes('thrown while the task runs'))).toEqual([]);
  });
});
