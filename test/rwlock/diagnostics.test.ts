// Deadlock diagnostics for RwLock (issue #8): a read or write wait past `slowLockMs` reports once who
// holds the lock (the writer, or the reader threads and their read-lock counts from the holder table),
// then keeps waiting and still gets the lock; waits under the threshold never report. Through the
// built package; every wait is bounded (holders release on their own after a while, timed waits,
// watchdogs).
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { RwLock, TimeoutError, setDiagnostics, type SlowLockReport } from 'threadkit/rwlock';
import { setDiagnostics as setMutexDiagnostics } from 'threadkit/mutex';
import { spawn, type Thread } from 'threadkit/thread';
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
 * A thread that takes `count` locks of `mode` and holds them until `afterMs` after `release` is called,
 * or until `holdMs` passes (the watchdog for waits that block the main thread); resolves once it holds
 * them.
 */
async function holder(lock: RwLock, mode: 'read' | 'write', holdMs: number, count = 1, afterMs = 0) {
  const flag = new Int32Array(new SharedArrayBuffer(12)); // [holds, released, (a nap)]
  const thread = spawn(
    (l: RwLock, f: Int32Array, m: 'read' | 'write', ms: number, n: number, after: number) => {
      const guards = [];
      for (let i = 0; i < n; i++) guards.push(m === 'read' ? l.readLock() : l.writeLock());
      Atomics.store(f, 0, 1);
      if (Atomics.wait(f, 1, 0, ms) !== 'timed-out') Atomics.wait(f, 2, 0, after);
      for (const g of guards) g.unlock();
    },
    lock,
    flag,
    mode,
    holdMs,
    count,
    afterMs,
  );
  await untilRaised(flag);
  const release = () => {
    Atomics.store(flag, 1, 1);
    Atomics.notify(flag, 1);
  };
  return { thread, release, done: () => watchdog(thread.join()) };
}

const byThread = (r: SlowLockReport) => [...r.holders].sort((a, b) => a.threadId - b.threadId);
const idsOf = (threads: readonly Thread[]) => threads.map((t) => t.threadId).sort((a, b) => a - b);

describe('RwLock slow-lock reports', () => {
  it('an async read wait behind a writer reports the writer once, then gets the lock', async () => {
    const reports = collect(40);
    const lock = new RwLock();
    const w = await holder(lock, 'write', 5_000);
    const acquired = lock.readLockAsync({ timeoutMs: 5_000 });
    await sleep(150);
    expect(reports).toHaveLength(1);
    w.release();
    (await watchdog(acquired)).unlock();
    await w.done();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      kind: 'RwLock',
      mode: 'read',
      ownerThreadId: w.thread.threadId,
      holders: [{ threadId: w.thread.threadId, count: 1 }],
      waitedMs: 40,
      buffer: lock.buffer,
      byteOffset: lock.byteOffset,
    });
    expect(reports[0]!.message).toMatch(`thread ${w.thread.threadId} holds the write lock`);
  });

  it('a blocking write wait (writeLock, tryWriteLock(t)) reports the writer with mode write', async () => {
    // Each holder keeps the lock until 120 ms after the report (long enough for a second one), 3 s at
    // most: a fixed hold could end before a loaded machine got to the report. A wait with no report
    // fails on `reports` below.
    let current: { release(): void } | undefined;
    const reports = collect(30, () => current?.release());
    const lock = new RwLock();
    const first = (current = await holder(lock, 'write', 3_000, 1, 120));
    lock.writeLock().unlock();
    await first.done();
    const second = (current = await holder(lock, 'write', 3_000, 1, 120));
    const g = lock.tryWriteLock(5_000);
    expect(g).not.toBeNull();
    g!.unlock();
    await second.done();
    expect(reports.map((r) => [r.mode, r.ownerThreadId, r.holders])).toEqual([
      ['write', first.thread.threadId, [{ threadId: first.thread.threadId, count: 1 }]],
      ['write', second.thread.threadId, [{ threadId: second.thread.threadId, count: 1 }]],
    ]);
  });

  it('a write wait behind several readers lists every reader thread with its read-lock count', async () => {
    const reports = collect(40);
    const lock = new RwLock({ buffer: new SharedArrayBuffer(RwLock.BYTES + 64), byteOffset: 64 });
    const a = await holder(lock, 'read', 5_000, 2);
    const b = await holder(lock, 'read', 5_000, 1);
    const acquired = lock.writeLockAsync({ timeoutMs: 5_000 });
    await sleep(150);
    a.release();
    b.release();
    (await watchdog(acquired)).unlock();
    await Promise.all([a.done(), b.done()]);
    expect(reports).toHaveLength(1);
    const [report] = reports;
    expect(report).toMatchObject({ kind: 'RwLock', mode: 'write', byteOffset: 64, waitedMs: 40 });
    expect(byThread(report!)).toEqual(
      [
        { threadId: a.thread.threadId, count: 2 },
        { threadId: b.thread.threadId, count: 1 },
      ].sort((x, y) => x.threadId - y.threadId),
    );
    expect(report!.ownerThreadId).toBe(report!.holders[0]!.threadId);
    expect(report!.message).toMatch(/3 read locks held: threads \d+ \(\d\) and \d+ \(\d\) hold read locks/);
  });

  it('a read wait behind readers and a queued writer lists the readers and says the writer is ahead', async () => {
    const reports = collect(40);
    const lock = new RwLock();
    const readers = [await holder(lock, 'read', 5_000), await holder(lock, 'read', 5_000)];
    // A writer queues behind the readers; writer preference then keeps new readers out.
    const writer = spawn((l: RwLock) => {
      const g = l.tryWriteLock(5_000);
      g?.unlock();
      return g !== null;
    }, lock);
    await watchdog(
      (async () => {
        for (let g = lock.tryReadLock(); g !== null; g = lock.tryReadLock()) {
          g.unlock();
          await sleep(2);
        }
      })(),
    );
    const acquired = lock.readLockAsync({ timeoutMs: 5_000 });
    await sleep(150);
    for (const r of readers) r.release();
    (await watchdog(acquired)).unlock();
    expect(await watchdog(writer.join())).toBe(true);
    await Promise.all(readers.map((r) => r.done()));
    expect(reports).toHaveLength(1);
    expect(reports[0]!.mode).toBe('read');
    expect(byThread(reports[0]!)).toEqual(
      idsOf(readers.map((r) => r.thread)).map((threadId) => ({ threadId, count: 1 })),
    );
    expect(reports[0]!.message).toMatch(/2 read locks held: .*; a writer is queued ahead of readers$/);
  });

  it('read locks missing from the holder table (it was full) are reported as untracked readers', async () => {
    const reports = collect(40);
    const lock = new RwLock();
    // Fill every entry of the holder table (Int32 slots 4 .. 4 + 2 * 64) with live-looking threads.
    const i32 = new Int32Array(lock.buffer, lock.byteOffset, RwLock.BYTES / 4);
    for (let k = 0; k < 64; k++) Atomics.store(i32, 4 + 2 * k, 900_000 + k);
    const r = await holder(lock, 'read', 5_000);
    const acquired = lock.writeLockAsync({ timeoutMs: 5_000 });
    await sleep(150);
    r.release();
    (await watchdog(acquired)).unlock();
    await r.done();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ mode: 'write', holders: [], ownerThreadId: -1 });
    expect(reports[0]!.message).toMatch('1 read lock held: 1 untracked reader');
  });

  it('a timed wait past the threshold reports once and still times out after its whole timeout', async () => {
    const reports = collect(30);
    const lock = new RwLock();
    const w = await holder(lock, 'write', 5_000);
    let start = performance.now();
    expect(lock.tryReadLock(150)).toBeNull();
    expect(performance.now() - start).toBeGreaterThanOrEqual(145);
    start = performance.now();
    await expect(lock.writeLockAsync({ timeoutMs: 150 })).rejects.toThrow(TimeoutError);
    expect(performance.now() - start).toBeGreaterThanOrEqual(145);
    w.release();
    await w.done();
    expect(reports.map((r) => r.mode)).toEqual(['read', 'write']);
    lock.tryWriteLock()!.unlock(); // nothing left queued
  });

  it('never reports a wait under the threshold, nor a timed wait whose timeout is below it', async () => {
    // Waits of 50-60 ms against 1 s: a loaded machine may stretch a wait, but not to 1 s.
    const reports = collect(1_000);
    const lock = new RwLock();
    let w = await holder(lock, 'write', 5_000);
    expect(lock.tryWriteLock(50)).toBeNull();
    expect(lock.tryReadLock(50)).toBeNull();
    await expect(lock.readLockAsync({ timeoutMs: 50 })).rejects.toThrow(TimeoutError);
    await expect(lock.writeLockAsync({ timeoutMs: 50 })).rejects.toThrow(TimeoutError);
    w.release();
    await w.done();
    w = await holder(lock, 'write', 60);
    lock.readLock().unlock();
    await w.done();
    w = await holder(lock, 'read', 60);
    (await watchdog(lock.writeLockAsync())).unlock();
    await w.done();
    expect(reports).toEqual([]);
  });

  it('an onSlowLock that throws makes the wait throw it without the lock, leaving the lock usable', async () => {
    setDiagnostics({
      slowLockMs: 30,
      onSlowLock: () => {
        throw new Error('boom');
      },
    });
    const lock = new RwLock();
    const w = await holder(lock, 'write', 5_000);
    expect(() => lock.tryWriteLock(5_000)).toThrow('boom');
    expect(() => lock.tryReadLock(5_000)).toThrow('boom');
    await expect(lock.writeLockAsync({ timeoutMs: 5_000 })).rejects.toThrow('boom');
    await expect(lock.readLockAsync()).rejects.toThrow('boom');
    expect(lock.isWriteLocked).toBe(true);
    w.release();
    await w.done();
    setDiagnostics({});
    // No writer was left registered (new readers would queue behind it), nor a reader counted.
    const reader = spawn((l: RwLock) => {
      const g = l.tryReadLock(1_000);
      g?.unlock();
      return g !== null;
    }, lock);
    expect(await watchdog(reader.join())).toBe(true);
    expect(lock.readers).toBe(0);
    lock.tryReadLock()!.unlock();
    lock.tryWriteLock()!.unlock();
  });
});

describe('one diagnostics setting per thread, across entry points and builds', () => {
  const cjs = createRequire(import.meta.url)('threadkit/rwlock') as typeof import('threadkit/rwlock');

  it('setDiagnostics of threadkit/mutex (ESM) covers an RwLock of the CommonJS build, and back', async () => {
    expect(cjs.RwLock).not.toBe(RwLock);
    const reports: SlowLockReport[] = [];
    setMutexDiagnostics({ slowLockMs: 40, onSlowLock: (r) => reports.push(r) });
    const lock = new RwLock();
    const same = cjs.RwLock.from({ buffer: lock.buffer, byteOffset: lock.byteOffset });
    let w = await holder(lock, 'write', 5_000);
    const acquired = same.readLockAsync({ timeoutMs: 5_000 });
    await sleep(150);
    w.release();
    (await watchdog(acquired)).unlock();
    await w.done();
    expect(reports.map((r) => [r.kind, r.ownerThreadId])).toEqual([['RwLock', w.thread.threadId]]);
    // Turned off through the CommonJS build: the ESM build's locks stop reporting too.
    cjs.setDiagnostics({});
    w = await holder(lock, 'write', 5_000);
    const again = lock.readLockAsync({ timeoutMs: 5_000 });
    await sleep(100);
    w.release();
    (await watchdog(again)).unlock();
    await w.done();
    expect(reports).toHaveLength(1);
  });
});
