// The browser build on a thread that may not block (a page's main thread), simulated in Node: an
// Atomics.wait that throws, as the browser's does there, while the build probes whether it may block.
// Blocking calls throw BlockingNotAllowedError, and the message names the call that was made.
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Mutex = typeof import('threadkit/mutex');
type Semaphore = typeof import('threadkit/semaphore');
type RwLock = typeof import('threadkit/rwlock');

const browserBuild = (entry: string) => new URL(`../../dist/browser/${entry}.js`, import.meta.url).href;

let mutex: Mutex;
let semaphore: Semaphore;
let rwlock: RwLock;
const realWait = Atomics.wait;

beforeAll(async () => {
  Atomics.wait = () => {
    throw new TypeError('Atomics.wait cannot be called in this context');
  };
  try {
    // The build probes once, when it loads, and keeps the answer.
    mutex = (await import(browserBuild('mutex'))) as Mutex;
    semaphore = (await import(browserBuild('semaphore'))) as Semaphore;
    rwlock = (await import(browserBuild('rwlock'))) as RwLock;
    new semaphore.Semaphore(0).tryAcquire(1, 1); // the park path's probe, if it had not run yet
  } catch {
    // the probe's throw is the point; the tests below check what the build decided
  } finally {
    Atomics.wait = realWait;
  }
});

afterAll(() => {
  Atomics.wait = realWait;
});

/** The BlockingNotAllowedError's message that `call` throws. */
function refusal(call: () => unknown): string {
  let error: unknown;
  try {
    call();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(mutex.BlockingNotAllowedError);
  return (error as Error).message;
}

describe('browser build, on a thread that may not block', () => {
  it('lock() on a free mutex names lock()', () => {
    const m = new mutex.Mutex();
    expect(refusal(() => m.lock())).toBe(
      'Mutex.lock() can block, and this thread may not block (a browser main thread), so it throws even when the mutex is free; use lockAsync() or tryLock() without a timeout instead',
    );
    expect(m.isLocked).toBe(false);
  });

  it('tryLock(10) names tryLock and its timeout; tryLock() works', () => {
    const m = new mutex.Mutex();
    expect(refusal(() => m.tryLock(10))).toBe(
      'Mutex.tryLock(10) can block for up to 10 ms, and this thread may not block (a browser main thread), so it throws even when the mutex is free; use lockAsync({ timeoutMs: 10 }) or tryLock() without a timeout instead',
    );
    const guard = m.tryLock();
    expect(guard).not.toBeNull();
    guard!.unlock();
  });

  it('Semaphore names acquire() or tryAcquire(), whichever would block', () => {
    const s = new semaphore.Semaphore(0);
    expect(refusal(() => s.tryAcquire(1, 10))).toMatch(/^Semaphore\.tryAcquire\(\) would block/);
    expect(refusal(() => s.acquire())).toMatch(/^Semaphore\.acquire\(\) would block/);
    expect(s.tryAcquire(1)).toBe(false); // no timeout: never blocks
  });

  it('RwLock names tryReadLock() or readLock() while another thread writes', async () => {
    const rw = new rwlock.RwLock();
    const flag = new Int32Array(new SharedArrayBuffer(4));
    // Another thread (the Node build) holds the write lock until told to let go.
    const worker = new Worker(
      `const { workerData: { handle, flag } } = require('node:worker_threads');
       const { RwLock } = require(${JSON.stringify(fileURLToPath(new URL('../../dist/rwlock.cjs', import.meta.url)))});
       const guard = RwLock.from(handle).writeLock();
       Atomics.store(flag, 0, 1); Atomics.notify(flag, 0);
       Atomics.wait(flag, 0, 1, 10000);
       guard.unlock();`,
      { eval: true, workerData: { handle: structuredClone(rw), flag } },
    );
    try {
      const held = Atomics.waitAsync(flag, 0, 0, 10_000);
      if (held.async) await held.value;
      expect(refusal(() => rw.tryReadLock(10))).toMatch(/^RwLock\.tryReadLock\(\) would block/);
      expect(refusal(() => rw.readLock())).toMatch(/^RwLock\.readLock\(\) would block/);
      expect(refusal(() => rw.tryWriteLock(10))).toMatch(/^RwLock\.tryWriteLock\(\) would block/);
    } finally {
      Atomics.store(flag, 0, 2);
      Atomics.notify(flag, 0);
      await worker.terminate();
    }
  });
});
