// Fault injection and soak for ThreadPool and Thread: many tasks, some of which throw, reject, kill
// their worker or time out; every other result must arrive, exactly once and for the right task.
// `npm test` runs a slice; `npm run test:stress` (THREADKIT_STRESS=1) runs the big versions. The memory
// soak is in soak.test.ts.
import { describe, expect, it } from 'vitest';
import { ThreadExitError, ThreadPool } from 'threadkit/thread';
import { STRESS } from '../helpers/workers.js';
import { watchdog } from './helpers.js';

type Fault = 'ok' | 'throw' | 'reject' | 'exit' | 'timeout';

/** Deterministic fault plan: mostly 'ok', a few of each fault. */
function plan(n: number, seed: number): Fault[] {
  let x = seed >>> 0 || 1;
  const next = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) / 2 ** 32);
  return Array.from({ length: n }, () => {
    const r = next();
    return r < 0.02 ? 'throw' : r < 0.04 ? 'reject' : r < 0.045 ? 'timeout' : r < 0.047 ? 'exit' : 'ok';
  });
}

async function faultRun(n: number, seed: number) {
  await using pool = new ThreadPool({ size: 2 });
  const faults = plan(n, seed);
  const task = async (i: number, fault: Fault) => {
    if (fault === 'throw') throw new RangeError(`task ${i} throws`);
    if (fault === 'reject') return Promise.reject(new TypeError(`task ${i} rejects`));
    if (fault === 'exit') process.exit(9);
    if (fault === 'timeout') await new Promise((r) => setTimeout(r, 60));
    return i * 2;
  };
  const settled = await Promise.allSettled(
    faults.map((fault, i) =>
      pool.run(task, { args: [i, fault], timeoutMs: fault === 'timeout' ? 5 : undefined }),
    ),
  );
  const counts = { ok: 0, throw: 0, reject: 0, exit: 0, timeout: 0, lost: 0, wrong: 0 };
  settled.forEach((s, i) => {
    const fault = faults[i]!;
    if (fault === 'ok') {
      if (s.status === 'fulfilled' && s.value === i * 2) counts.ok++;
      else counts.lost++;
      return;
    }
    const expected = {
      throw: 'RangeError',
      reject: 'TypeError',
      exit: 'ThreadExitError',
      timeout: 'TimeoutError',
    };
    if (s.status === 'rejected' && (s.reason as Error).name === expected[fault]) counts[fault]++;
    else counts.wrong++;
  });
  return counts;
}

describe('ThreadPool under injected faults', () => {
  const n = STRESS ? 100_000 : 2_000;
  it(`${n} tasks with throws, rejections, worker exits and timeouts: every other result arrives once`, async () => {
    const counts = await faultRun(n, 12345);
    console.log(`pool faults: ${n} tasks`, counts);
    expect(counts.lost).toBe(0);
    expect(counts.wrong).toBe(0);
    expect(counts.ok).toBeGreaterThan(n * 0.9);
    expect(counts.exit).toBeGreaterThan(0);
    expect(counts.timeout).toBeGreaterThan(0);
  }, 280_000);
});

describe('ThreadPool workers that cannot start', () => {
  it('a worker that dies before running anything fails the tasks it held, instead of restarting for ever', async () => {
    // Too little heap for the worker to boot: every worker dies at start. The tasks used to be queued
    // again and again for a new worker, which died the same way: a busy loop that never settled them.
    const pool = new ThreadPool({ size: 1, resourceLimits: { maxOldGenerationSizeMb: 4 } });
    try {
      const outcomes = await watchdog(
        Promise.all([pool.run(() => 1), pool.run(() => 2)].map((p) => p.catch((e: unknown) => e))),
        5000,
      );
      for (const err of outcomes) {
        expect(err).toBeInstanceOf(ThreadExitError);
        expect((err as Error).message).toMatch(/^Pool worker exited with code \d+ before starting this task/);
        expect(((err as Error).cause as { code?: string }).code).toBe('ERR_WORKER_OUT_OF_MEMORY');
      }
    } finally {
      await watchdog(pool.destroy(), 5000);
    }
  });
});

describe('ThreadPool workers that cannot start, after a task that could not be posted', () => {
  it('fail the tasks they held, and report no error "after its tasks finished"', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => {
      if (w.name === 'UnhandledThreadError') warnings.push(w.message);
    };
    process.on('warning', onWarning);
    // Every worker dies at start (too little heap). One burst, one batch: posting it fails on the
    // WeakMap, so the tasks are posted one by one and the WeakMap one fails alone. That failure used to
    // count as a result from the worker: the worker "had run tasks", so its boot death was reported as
    // a late error after its tasks finished, and the task it held went to a new worker.
    const pool = new ThreadPool({ size: 1, resourceLimits: { maxOldGenerationSizeMb: 4 } });
    try {
      const [unposted, plain] = await watchdog(
        Promise.all(
          [pool.run((m: WeakMap<object, number>) => m, { args: [new WeakMap()] }), pool.run(() => 1)].map(
            (p) => p.catch((e: unknown) => e),
          ),
        ),
        5000,
      );
      expect((unposted as Error).name).toBe('DataCloneError');
      expect(plain).toBeInstanceOf(ThreadExitError);
      expect((plain as Error).message).toMatch(/^Pool worker exited with code \d+ before starting this task/);
      await new Promise((r) => setTimeout(r, 100)); // a report is emitted on a later tick
      expect(warnings.filter((m) => m.includes(`(a pool worker, after its tasks finished)`))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await watchdog(pool.destroy(), 5000);
    }
  });
});

describe('ThreadPool workers killed for running out of memory', () => {
  it('lose no result of a task that finished before, in the same batch', async () => {
    await using pool = new ThreadPool({ size: 1, resourceLimits: { maxOldGenerationSizeMb: 16 } });
    // One burst: one batch for the one worker. The finished tasks' results used to wait in the worker
    // to be sent together, and died with it ("before reporting this finished task").
    const before = [1, 2, 3, 4, 5].map((n) => pool.run((x: number) => x, { args: [n] }));
    const hog = pool
      .run(() => {
        const hoard: number[][] = [];
        for (;;) hoard.push(new Array<number>(100_000).fill(1));
      })
      .catch((e: unknown) => e);
    const after = pool.run((x: number) => x, { args: [7] });
    expect(await watchdog(Promise.all(before), 5000)).toEqual([1, 2, 3, 4, 5]);
    const err = (await watchdog(hog, 5000)) as ThreadExitError;
    expect(err).toBeInstanceOf(ThreadExitError);
    expect(err.message).toMatch(/^Pool worker exited with code 1 while running this task/);
    expect((err.cause as { code?: string }).code).toBe('ERR_WORKER_OUT_OF_MEMORY');
    expect(await watchdog(after, 5000)).toBe(7);
  });
});

describe('ThreadPool tasks queued again after their worker died', () => {
  it('count their timeoutMs from when they start on the new worker', async () => {
    await using pool = new ThreadPool({ size: 1 });
    // A task returns, leaving a callback that blocks its worker for 600 ms and then kills it.
    await watchdog(
      pool.run(() => {
        setTimeout(() => {
          const end = Date.now() + 600;
          while (Date.now() < end);
          throw new Error('late');
        }, 0);
        return 'returned';
      }),
    );
    await new Promise((r) => setTimeout(r, 100)); // the worker is in that callback now
    // Sent to the blocked worker (idle, for the pool), queued again unstarted when it dies at ~600 ms,
    // then run for 900 ms on a new worker: within its limit. The time limit armed when it was first
    // sent used to stay armed, and rejected it at ~1300 ms, mid-run.
    const task = pool.run(() => new Promise((r) => setTimeout(() => r('done'), 900)), { timeoutMs: 1200 });
    expect(await watchdog(task)).toBe('done');
  });

  it('except a task that transferred objects: those went with the dead worker, so it fails', async () => {
    await using pool = new ThreadPool({ size: 1 });
    const buffer = new ArrayBuffer(8);
    // One batch: the first task kills the worker before the second starts.
    const crash = pool.run(() => process.exit(2)).catch((e: unknown) => e);
    const moved = pool
      .run((b: ArrayBuffer) => b.byteLength, { args: [buffer], transfer: [buffer] })
      .catch((e: unknown) => e);
    const plain = pool.run((n: number) => n, { args: [5] });
    expect(await watchdog(crash)).toBeInstanceOf(ThreadExitError);
    // It used to be queued again and run on the next worker with the buffer detached: byteLength 0.
    const err = (await watchdog(moved)) as ThreadExitError;
    expect(err).toBeInstanceOf(ThreadExitError);
    expect(err.message).toMatch(/^Pool worker exited with code 2 before starting this task, .*transferred/);
    expect(await watchdog(plain)).toBe(5);
  });
});
