// A ThreadPool recovering from a worker that never comes up, or that dies while another worker holds
// tasks sent ahead to it: no task is left waiting for ever, or behind a long task while the pool is
// short of a worker.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ThreadExitError, ThreadPool, TimeoutError } from 'threadkit/thread';
import { runFixture, watchdog } from './helpers.js';

/** What test/fixtures/thread/boot-hang.mjs prints of a task. */
type Outcome = { ok: boolean; value?: string; name?: string; message?: string; ms: number };

/**
 * Runs a boot fixture in a child process whose workers load `preload` (`--require` for a file path,
 * `--import` for a file: URL) and returns what it printed, once it exited cleanly.
 */
async function bootFixture(fixture: string, preload: string, ms: number): Promise<unknown> {
  const flag = preload.startsWith('file:') ? '--import' : '--require';
  const { stdout, stderr, code } = await runFixture(fixture, [], ms, [flag, preload]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(stdout);
}

describe('ThreadPool worker recovery', () => {
  it('tasks on a worker that never comes up reject after startupTimeoutMs; the pool replaces it', async () => {
    const preload = fileURLToPath(new URL('../fixtures/thread/boot-hang-preload.cjs', import.meta.url));
    // Without the startup limit the untimed task never settled: the fixture ran into this time limit.
    const out = (await bootFixture('boot-hang.mjs', preload, 20_000)) as Record<string, Outcome | number>;
    const untimed = out.untimed as Outcome;
    expect(untimed).toMatchObject({ ok: false, name: 'TimeoutError' });
    expect(untimed.message).toMatch(
      /^Task did not start: its worker ThreadPool-\d+-1 did not come up within 10000 ms \(startupTimeoutMs\), and was terminated\. Code that runs in every worker before it comes up does not return \(a module preloaded with `--import` or `--require`/,
    );
    // The default limit: 10 s.
    expect(untimed.ms).toBeGreaterThanOrEqual(9_900);
    expect(untimed.ms).toBeLessThan(15_000);
    // The task queued meanwhile, and the next one, run on the replacement.
    expect(out.queued).toMatchObject({ ok: true });
    expect((out.queued as Outcome).value).toMatch(/^ThreadPool-\d+-2$/);
    expect(out.after).toMatchObject({ ok: true });
    expect((out.after as Outcome).value).toMatch(/^ThreadPool-\d+-2$/);
    expect(out.closeMs).toBeLessThan(2_000);
    // A timed task waits for the startup limit (300 ms), not twice its own (400 ms), nor 10 s as before.
    const timed = out.timed as Outcome;
    expect(timed).toMatchObject({ ok: false, name: 'TimeoutError' });
    expect(timed.message).toMatch(/did not come up within 300 ms \(startupTimeoutMs\)/);
    expect(timed.ms).toBeGreaterThanOrEqual(290);
    expect(timed.ms).toBeLessThan(2_000);
    expect(out.timedAfter).toMatchObject({ ok: true });
    expect((out.timedAfter as Outcome).value).toMatch(/^ThreadPool-\d+-2$/);
    // destroy() terminates a worker that never came up, and rejects the task waiting for it.
    expect(out.destroyMs).toBeLessThan(2_000);
    expect(out.pending).toMatchObject({ ok: false, name: 'PoolClosedError' });
  }, 25_000);

  it('a task on a worker stuck in an `--import` preload that never settles rejects after startupTimeoutMs', async () => {
    const preload = new URL('../fixtures/thread/boot-hang-import-preload.mjs', import.meta.url).href;
    // The worker neither comes up nor exits: the task waited for ever (the fixture ran into this limit).
    const out = (await bootFixture('boot-fails.mjs', preload, 10_000)) as Outcome;
    expect(out).toMatchObject({ ok: false, name: 'TimeoutError' });
    expect(out.message).toMatch(/did not come up within 1000 ms \(startupTimeoutMs\)/);
    expect(out.ms).toBeGreaterThanOrEqual(990);
  }, 15_000);

  it('a worker that exits before coming up, on an unsettled top-level await, says so', async () => {
    const preload = new URL('../fixtures/thread/boot-unsettled-preload.mjs', import.meta.url).href;
    const result = await bootFixture('boot-fails.mjs', preload, 10_000);
    // Was "Pool worker exited with code 13 before starting this task", with nothing on what 13 means.
    // Node 20 ends such a thread with exit code 13, Node 22 and later with 0.
    const preloadWhy =
      'a module it loaded before it came up, such as one preloaded with `--import` in the process flags ' +
      'or NODE_OPTIONS, awaits at its top level a promise that never settles';
    const code = Number(process.versions.node.split('.')[0]) >= 22 ? 0 : 13;
    expect(result).toMatchObject({
      ok: false,
      name: 'ThreadExitError',
      exitCode: code,
      message:
        `Pool worker exited with code ${code} before starting this task: ${preloadWhy}` +
        (code === 13 ? ' (exit code 13)' : ', or ends the thread'),
    });
  }, 15_000);

  it('when no worker can come up in time, every task fails in time, and close() ends', async () => {
    // No worker starts up within 1 ms: each one the pool starts is terminated, and the tasks it was
    // sent fail; the queued ones go to the next, which fails them the same way. None waits for ever.
    const pool = new ThreadPool({ size: 2, startupTimeoutMs: 1 });
    const tasks = Array.from({ length: 6 }, (_, i) =>
      pool.run((n: number) => n, { args: [i] }).catch((err: unknown) => err),
    );
    const late = new Promise((r) => setTimeout(r, 20)).then(() =>
      pool.run(() => 'late', { timeoutMs: 5_000 }).catch((err: unknown) => err),
    );
    for (const outcome of await watchdog(Promise.all([...tasks, late]))) {
      expect(outcome).toBeInstanceOf(TimeoutError);
      expect((outcome as Error).message).toMatch(/did not come up within 1 ms \(startupTimeoutMs\)/);
    }
    await watchdog(pool.close());
  });

  it('a timed task waits out a worker that is slow to come up (a heavy preload), and runs', async () => {
    const preload = fileURLToPath(new URL('../fixtures/thread/boot-slow-preload.cjs', import.meta.url));
    const out = (await bootFixture('boot-slow.mjs', preload, 20_000)) as Outcome;
    // The startup (3 s) is longer than twice the limit (400 ms) but within startupTimeoutMs: not cancelled.
    expect(out).toMatchObject({ ok: true, value: 'ran' });
    expect(out.ms).toBeGreaterThanOrEqual(2_900);
  }, 25_000);

  it('a timed task waits out a slow `--import` preload (one that runs after the worker is online)', async () => {
    const preload = new URL('../fixtures/thread/boot-slow-import-preload.mjs', import.meta.url).href;
    const result = await bootFixture('boot-slow.mjs', preload, 20_000);
    // The boot (1 s) is longer than twice the limit (400 ms). Its wait to start used to count from the
    // worker's 'online' event, before the preload ran: it was cancelled, "did not start within 400 ms".
    expect(result).toMatchObject({ ok: true, value: 'ran' });
  }, 25_000);

  it('a worker that dies is replaced for the tasks another holds behind a long one', async () => {
    await using pool = new ThreadPool({ size: 2 });
    // [0]: the long task has started; [1]: the long task may end.
    const flags = new Int32Array(new SharedArrayBuffer(8));
    // Worker 1 waits for the long task to start, then dies.
    const crash = pool
      .run(
        (buf: SharedArrayBuffer) => {
          Atomics.wait(new Int32Array(buf), 0, 0, 10_000);
          process.exit(1);
        },
        { args: [flags.buffer] },
      )
      .catch((err: unknown) => err);
    await new Promise((r) => setImmediate(r)); // dispatched: worker 1 is busy, the burst below goes to worker 2
    // Worker 2 gets tasks 0-29, and once it reports them, all of 30-59 (pipelined): the queue is
    // empty when task 35 blocks it and worker 1 dies, and 36-59 wait behind 35 unstarted.
    const LONG = 35;
    const tasks = Array.from({ length: 60 }, (_, i) =>
      pool.run(
        async (i: number, long: number, buf: SharedArrayBuffer) => {
          if (i === long) {
            const f = new Int32Array(buf);
            Atomics.store(f, 0, 1);
            Atomics.notify(f, 0);
            const deadline = Date.now() + 8_000;
            while (Atomics.load(f, 1) === 0 && Date.now() < deadline); // blocks its worker
          }
          return (await import('threadkit/thread')).currentThread().name;
        },
        { args: [i, LONG, flags.buffer] },
      ),
    );
    try {
      expect(await watchdog(crash)).toBeInstanceOf(ThreadExitError);
      // Without a replacement they waited for the long task (8 s): the watchdog failed the test.
      const after = await watchdog(Promise.all(tasks.slice(LONG + 1)), 4_000);
      expect(Atomics.load(flags, 1)).toBe(0); // the long task was still running
      // Neither on the dead worker (`-1`) nor on the one running the long task (`-2`).
      expect(after.filter((name) => /^ThreadPool-\d+-[12]$/.test(name))).toEqual([]);
    } finally {
      Atomics.store(flags, 1, 1);
    }
    const names = await watchdog(Promise.all(tasks));
    expect(names[LONG]).toMatch(/^ThreadPool-\d+-2$/);
  }, 15_000);

  it("a short timeoutMs does not count a new worker's loading of its code", async () => {
    // Between 'online' and its first task a worker loads threadkit's worker modules (20-50 ms): tasks
    // with a limit shorter than half that failed on every new worker, "did not start within 20 ms".
    await using pool = new ThreadPool({ size: 2 });
    const first = await watchdog(
      Promise.allSettled([1, 2].map((n) => pool.run((x: number) => x, { args: [n], timeoutMs: 10 }))),
    );
    expect(first).toEqual([
      { status: 'fulfilled', value: 1 },
      { status: 'fulfilled', value: 2 },
    ]);
  });
});
