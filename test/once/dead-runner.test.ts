// Dead runners: a thread that dies while it runs a Once's function (terminated, crashed, process.exit(),
// a pool task past its timeoutMs) must not leave the Once "running" for ever. Its waiters, sync and
// async, see the death within ~25 ms; exactly one of them runs the function (the dead run did not
// complete), the others return false once it has. Through the built package. Sync waiters run in
// threads, joined under a watchdog, so that a regression fails instead of hanging the test runner;
// the main thread's async waits are bounded by `timeoutMs`.
import { describe, expect, it } from 'vitest';
import { Event } from 'threadkit/event';
import { Once } from 'threadkit/once';
import { ThreadPool, spawn, type Thread } from 'threadkit/thread';
import { deathOf, recoveryLog, expectDeath } from '../helpers/dead-threads.js';
import { RECOVERY_LIMIT_MS, sleep } from '../helpers/workers.js';
import { watchdog } from '../thread/helpers.js';

type Death = 'terminate' | 'throw' | 'exit';
type Outcome = 'ran' | 'skipped';

/**
 * Starts a thread that claims `once` (with run(), or runAsync() when `async`), sets `started` inside
 * the function, and dies there the way `death` says, never completing it.
 */
function runnerThatDies(once: Once, started: Event, death: Death, async: boolean): Thread {
  return expectDeath(
    spawn(
      async (o: Once, s: Event, how: Death, useAsync: boolean) => {
        const body = () => {
          s.set();
          if (how === 'exit') process.exit(3);
          if (how === 'throw')
            setTimeout(() => {
              throw new Error('crash in a callback');
            }, 1);
        };
        if (useAsync) {
          await o.runAsync(async () => {
            body();
            await new Promise(() => {}); // never completes: the thread dies first
          });
        } else {
          o.run(() => {
            body();
            for (;;); // never completes: the thread dies first (an uncaught error cannot run here)
          });
        }
        return 'unreachable';
      },
      once,
      started,
      death,
      async,
    ),
  );
}

/** A thread blocked in run(); resolves with whether it ran the function (counted in `runs[0]`). */
const blockedWaiter = (once: Once, runs: Int32Array) =>
  spawn(
    (o: Once, r: Int32Array): Outcome => (o.run(() => Atomics.add(r, 0, 1)) ? 'ran' : 'skipped'),
    once,
    runs,
  );

/** The main thread's async wait, bounded (a regression rejects with TimeoutError instead of hanging). */
const mainWaits = (once: Once, runs: Int32Array): Promise<Outcome> =>
  once
    .runAsync(() => Atomics.add(runs, 0, 1), { timeoutMs: 5_000 })
    .then((ran): Outcome => (ran ? 'ran' : 'skipped'));

const recoveries = recoveryLog('Once dead-runner recovery (death seen by join() -> all waiters done)');

describe('a thread dying while it runs a Once', () => {
  const cases = [
    ['terminate', false],
    ['terminate', true],
    ['throw', true], // an uncaught error needs the event loop: only an async run can be pending then
    ['exit', false],
    ['exit', true],
  ] as const;
  for (const [death, async] of cases) {
    it(`${death} in ${async ? 'runAsync' : 'run'}: a blocked run() and an async runAsync() proceed; exactly one runs fn`, async () => {
      const once = new Once();
      const started = new Event();
      const runs = new Int32Array(new SharedArrayBuffer(4));
      const runner = runnerThatDies(once, started, death, async);
      await watchdog(started.waitAsync(), 5_000);
      const waiter = blockedWaiter(once, runs);
      try {
        await sleep(30); // let the waiter park
        const main = mainWaits(once, runs);
        if (death === 'terminate') await runner.terminate();
        const died = await deathOf(runner);
        const outcomes = await watchdog(Promise.all([main, waiter.join()]), 5_000);
        const recovered = performance.now() - died;
        recoveries.push(recovered);
        expect([...outcomes].sort()).toEqual(['ran', 'skipped']);
        expect(runs[0]).toBe(1);
        expect(once.isDone).toBe(true);
        expect(recovered).toBeLessThan(RECOVERY_LIMIT_MS);
      } finally {
        await waiter.terminate().catch(() => {});
        await runner.terminate().catch(() => {});
      }
    });
  }

  it('a run() that starts after the runner died runs fn itself, at once', async () => {
    const once = new Once();
    const started = new Event();
    const runner = spawn(
      (o: Once, s: Event) => {
        o.run(() => {
          s.set();
          for (;;);
        });
      },
      once,
      started,
    );
    await watchdog(started.waitAsync(), 5_000);
    await runner.terminate();
    const late = spawn((o: Once) => o.run(() => {}), once);
    try {
      expect(await watchdog(late.join(), 5_000)).toBe(true);
      expect(once.isDone).toBe(true);
      expect(once.run(() => {})).toBe(false);
    } finally {
      await late.terminate().catch(() => {});
    }
  });

  it('a pool task that runs past its timeoutMs inside fn: an async waiter takes over', async () => {
    const once = new Once();
    const started = new Event();
    const pool = new ThreadPool({ size: 1 });
    try {
      const task = pool.run(
        (o: Once, s: Event) =>
          o.run(() => {
            s.set();
            for (;;);
          }),
        { args: [once, started], timeoutMs: 100 },
      );
      const failed = task.then(
        () => 'completed',
        () => 'failed',
      );
      await watchdog(started.waitAsync(), 5_000);
      let ran = 0;
      const main = once.runAsync(() => ran++, { timeoutMs: 5_000 });
      expect(await watchdog(failed, 5_000)).toBe('failed');
      expect(await main).toBe(true);
      expect(ran).toBe(1);
      expect(await once.runAsync(() => ran++)).toBe(false);
    } finally {
      await pool.destroy();
    }
  });

  it('the thread that takes over may throw: the once stays incomplete and the next caller retries', async () => {
    const once = new Once();
    const started = new Event();
    const runner = runnerThatDies(once, started, 'exit', false);
    await watchdog(started.waitAsync(), 5_000);
    await deathOf(runner);
    await expect(
      once.runAsync(
        () => {
          throw new Error('boom');
        },
        { timeoutMs: 5_000 },
      ),
    ).rejects.toThrow('boom');
    expect(once.isDone).toBe(false);
    expect(await once.runAsync(() => {}, { timeoutMs: 5_000 })).toBe(true);
  });

  it('a live runner is never taken over: waiters polling through a slow run still skip', async () => {
    const once = new Once();
    const started = new Event();
    const runs = new Int32Array(new SharedArrayBuffer(4));
    const runner = spawn(
      (o: Once, s: Event, r: Int32Array) =>
        o.run(() => {
          s.set();
          Atomics.add(r, 0, 1);
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 150); // ~6 dead-runner checks
        }),
      once,
      started,
      runs,
    );
    await watchdog(started.waitAsync(), 5_000);
    const waiter = blockedWaiter(once, runs);
    try {
      const main = mainWaits(once, runs);
      const outcomes = await watchdog(Promise.all([runner.join(), waiter.join(), main]), 5_000);
      expect(outcomes).toEqual([true, 'skipped', 'skipped']);
      expect(runs[0]).toBe(1);
    } finally {
      await waiter.terminate().catch(() => {});
      await runner.terminate().catch(() => {});
    }
  });
});
