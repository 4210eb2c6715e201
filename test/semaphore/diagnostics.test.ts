// Deadlock diagnostics for Semaphore (issue #8): a wait for permits past `slowLockMs` reports once who
// holds them (a robust semaphore's holder table: threads and their permit counts; a plain one says
// holders are not tracked), then keeps waiting and still gets its permits; waits under the threshold
// never report. Through the built package; every wait is bounded (holders release on their own after
// a while, timed waits, watchdogs).
import { afterEach, describe, expect, it } from 'vitest';
import { Semaphore, TimeoutError, setDiagnostics, type SlowLockReport } from 'threadkit/semaphore';
import { spawn } from 'threadkit/thread';
import { untilRaised } from '../helpers/dead-threads.js';
import { sleep } from '../helpers/workers.js';
import { watchdog } from '../thread/helpers.js';

afterEach(() => setDiagnostics({}));

/** Collects reports, calling `then` after each (the tests end a wait there, however late it comes). */
function collect(slowLockMs: number, then: (r: SlowLockReport) => void = () => {}): SlowLockReport[] {
  const reports: SlowLockReport[] = [];
  setDiagnostics({ slowLockMs, onSlowLock: (r) => (reports.push(r), then(r)) });
  return reports;
}

/**
 * A thread that takes `n` permits and holds them until `afterMs` after `release` is called, or until
 * `holdMs` passes (the watchdog for waits that block the main thread); resolves once it holds them.
 */
async function holder(sem: Semaphore, n: number, holdMs: number, afterMs = 0) {
  const flag = new Int32Array(new SharedArrayBuffer(12)); // [holds, released, (a nap)]
  const thread = spawn(
    (s: Semaphore, f: Int32Array, count: number, ms: number, after: number) => {
      s.acquire(count);
      Atomics.store(f, 0, 1);
      if (Atomics.wait(f, 1, 0, ms) !== 'timed-out') Atomics.wait(f, 2, 0, after);
      s.release(count);
    },
    sem,
    flag,
    n,
    holdMs,
    afterMs,
  );
  await untilRaised(flag);
  const release = () => {
    Atomics.store(flag, 1, 1);
    Atomics.notify(flag, 1);
  };
  return { thread, release, done: () => watchdog(thread.join()) };
}

const sorted = <T extends { threadId: number }>(list: readonly T[]) =>
  [...list].sort((a, b) => a.threadId - b.threadId);

describe('Semaphore slow-lock reports', () => {
  it('robust: an async wait lists every holder thread with its permits, once, then gets its permit', async () => {
    const reports = collect(40);
    const sem = new Semaphore(3, { robust: true, max: 3 });
    const a = await holder(sem, 2, 5_000);
    const b = await holder(sem, 1, 5_000);
    const acquired = sem.acquireAsync(1, { timeoutMs: 5_000 });
    await sleep(150);
    b.release();
    await watchdog(acquired);
    sem.release();
    a.release();
    await Promise.all([a.done(), b.done()]);
    expect(reports).toHaveLength(1);
    const [report] = reports;
    expect(report).toMatchObject({ kind: 'Semaphore', waitedMs: 40, buffer: sem.buffer, byteOffset: 0 });
    expect(report!.mode).toBeUndefined();
    expect(sorted(report!.holders)).toEqual(
      sorted([
        { threadId: a.thread.threadId, count: 2 },
        { threadId: b.thread.threadId, count: 1 },
      ]),
    );
    expect(report!.ownerThreadId).toBe(report!.holders[0]!.threadId);
    expect(report!.message).toMatch(
      /waiting for 1 permit, 0 available; 3 of 3 permits out, threads \d+ \(\d\) and \d+ \(\d\) hold permits$/,
    );
  });

  it('robust: blocking waits (acquire, tryAcquire(n, t)) report the holder', async () => {
    // Each holder keeps its permits until 120 ms after the report (long enough for a second one), 3 s
    // at most: a fixed hold could end before a loaded machine got to the report. A wait with no report
    // fails on `reports` below.
    let current: { release(): void } | undefined;
    const reports = collect(30, () => current?.release());
    const sem = new Semaphore(2, { robust: true });
    const first = (current = await holder(sem, 2, 3_000, 120));
    sem.acquire(2);
    sem.release(2);
    await first.done();
    const second = (current = await holder(sem, 1, 3_000, 120));
    expect(sem.tryAcquire(2, 5_000)).toBe(true);
    sem.release(2);
    await second.done();
    expect(reports.map((r) => [r.ownerThreadId, r.holders])).toEqual([
      [first.thread.threadId, [{ threadId: first.thread.threadId, count: 2 }]],
      [second.thread.threadId, [{ threadId: second.thread.threadId, count: 1 }]],
    ]);
    expect(reports[1]!.message).toMatch(
      `waiting for 2 permits, 1 available; thread ${second.thread.threadId} (1) holds permits`,
    );
  });

  it('plain: reports with no holders, saying how many permits are out when it is bounded', async () => {
    // Each wait ends 100-120 ms after its report (time for a second one), not after a fixed time that
    // a loaded machine could use up before the report.
    let current: { release(): void } | undefined;
    let reported = () => {};
    const reports = collect(30, () => (current?.release(), reported()));
    const bounded = new Semaphore(2, { max: 2 });
    const h = (current = await holder(bounded, 2, 3_000, 120));
    bounded.acquire();
    bounded.release();
    await h.done();
    current = undefined;
    const unbounded = new Semaphore(0);
    const report = new Promise<void>((r) => (reported = r));
    const acquired = unbounded.acquireAsync(1, { timeoutMs: 5_000 });
    await watchdog(report, 3_000).catch(() => {}); // no report: fails on `reports` below
    await sleep(100); // a second report would come in this time
    unbounded.release();
    await watchdog(acquired);
    expect(reports.map((r) => [r.ownerThreadId, r.holders])).toEqual([
      [-1, []],
      [-1, []],
    ]);
    expect(reports[0]!.message).toMatch(
      /2 of 2 permits out, holders not tracked \(not a robust Semaphore\)$/,
    );
    expect(reports[1]!.message).toMatch(/waiting for 1 permit, 0 available; holders not tracked/);
  });

  it('a timed wait past the threshold reports once and still times out after its whole timeout', async () => {
    const reports = collect(30);
    const sem = new Semaphore(1, { robust: true });
    const h = await holder(sem, 1, 5_000);
    let start = performance.now();
    expect(sem.tryAcquire(1, 150)).toBe(false);
    expect(performance.now() - start).toBeGreaterThanOrEqual(145);
    start = performance.now();
    await expect(sem.acquireAsync(1, { timeoutMs: 150 })).rejects.toThrow(TimeoutError);
    expect(performance.now() - start).toBeGreaterThanOrEqual(145);
    h.release();
    await h.done();
    expect(reports).toHaveLength(2);
    expect(sem.available).toBe(1);
  });

  it('never reports a wait under the threshold, nor a timed wait whose timeout is below it', async () => {
    // Waits of 50-60 ms against 1 s: a loaded machine may stretch a wait, but not to 1 s.
    const reports = collect(1_000);
    for (const robust of [false, true]) {
      const sem = new Semaphore(1, { robust });
      let h = await holder(sem, 1, 5_000);
      expect(sem.tryAcquire(1, 50)).toBe(false);
      await expect(sem.acquireAsync(1, { timeoutMs: 50 })).rejects.toThrow(TimeoutError);
      h.release();
      await h.done();
      h = await holder(sem, 1, 60);
      sem.acquire();
      sem.release();
      await h.done();
    }
    expect(reports).toEqual([]);
  });

  it('an onSlowLock that throws makes the wait throw it with no permit taken, leaving the semaphore usable', async () => {
    setDiagnostics({
      slowLockMs: 30,
      onSlowLock: () => {
        throw new Error('boom');
      },
    });
    for (const robust of [false, true]) {
      const sem = new Semaphore(1, { robust });
      const h = await holder(sem, 1, 5_000);
      expect(() => sem.tryAcquire(1, 5_000)).toThrow('boom');
      expect(() => sem.acquire()).toThrow('boom');
      await expect(sem.acquireAsync()).rejects.toThrow('boom');
      h.release();
      await h.done();
      expect(sem.available).toBe(1);
      // Another thread still gets the permit (released, so nothing was left taken).
      const other = spawn((s: Semaphore) => {
        const ok = s.tryAcquire(1, 1_000);
        if (ok) s.release();
        return ok;
      }, sem);
      expect(await watchdog(other.join())).toBe(true);
      expect(sem.tryAcquire()).toBe(true);
      sem.release();
    }
  });
});
