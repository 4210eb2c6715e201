// Browser smoke tests, run on a page's main thread by index.html: Mutex across Web Workers, lockAsync
// on the main thread, BlockingNotAllowedError from blocking calls there, and ThreadLocal on the
// synchronous fallback (browsers have no AsyncLocalStorage). Thread and ThreadPool are not in the
// browser build yet.
import { BlockingNotAllowedError, Mutex, TimeoutError } from 'threadkit/mutex';
import { ThreadLocal } from 'threadkit/threadlocal';
import { check, sleep } from '../smoke/harness.mjs';

const WORKER = new URL('./mutex-worker.mjs', import.meta.url);

/** Starts a module worker, sends it `data`, resolves when it reports back; rejects on its error. */
function inWorker(data) {
  const worker = new Worker(WORKER, { type: 'module' });
  return new Promise((resolve, reject) => {
    worker.onmessage = ({ data: reply }) => {
      worker.terminate();
      if (reply.ok) resolve();
      else reject(new Error(`worker: ${reply.error}`));
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`worker error: ${event.message}`));
    };
    worker.postMessage(data);
  });
}

export const tests = [
  [
    'blocking lock() on the main thread throws BlockingNotAllowedError; tryLock(0) works',
    () => {
      const m = new Mutex();
      let thrown;
      try {
        m.lock();
      } catch (err) {
        thrown = err;
      }
      check(thrown instanceof BlockingNotAllowedError, `lock() threw ${thrown}`);
      check(thrown.code === 'ERR_BLOCKING_NOT_ALLOWED', `code ${thrown.code}`);
      check(!m.isLocked, 'lock() that threw left the mutex locked');
      const g = m.tryLock(0);
      check(g !== null && m.isHeldByCurrentThread, 'tryLock(0) did not acquire');
      g.unlock();
    },
  ],
  [
    'Mutex across 4 Web Workers: no lost increments',
    async () => {
      const m = new Mutex();
      const counter = new SharedArrayBuffer(8);
      const n = 2000;
      await Promise.all(Array.from({ length: 4 }, () => inWorker({ mutex: m, counter, n })));
      const total = new Int32Array(counter)[0];
      check(total === 4 * n, `counter is ${total}, expected ${4 * n}`);
    },
  ],
  [
    'lockAsync on the main thread waits for a worker to unlock; timeoutMs rejects with TimeoutError',
    async () => {
      const m = new Mutex();
      const counter = new SharedArrayBuffer(8);
      const flags = new Int32Array(counter);
      const holder = inWorker({ mutex: m, counter, hold: 150 });
      while (Atomics.load(flags, 1) === 0) await sleep(5);
      const timedOut = await m.lockAsync({ timeoutMs: 20 }).catch((err) => err);
      check(timedOut instanceof TimeoutError, `lockAsync({ timeoutMs: 20 }) gave ${timedOut}`);
      const g = await m.lockAsync();
      check(m.isHeldByCurrentThread, 'lockAsync resolved without holding the lock');
      g.unlock();
      await holder;
    },
  ],
  [
    'ThreadLocal on the synchronous fallback: set/get, run() scopes the synchronous call',
    () => {
      const tl = new ThreadLocal({ initial: () => 'initial' });
      check(tl.get() === 'initial', 'initial value');
      tl.set('main');
      check(tl.run('scoped', () => tl.get()) === 'scoped', 'run scopes the value');
      check(tl.get() === 'main', 'run restores the value');
      const bound = tl.run('bound', () => ThreadLocal.bind(() => tl.get()));
      check(bound() === 'bound', 'ThreadLocal.bind keeps the bound context');
      check(tl.get() === 'main', 'ThreadLocal.bind restores the caller context');
    },
  ],
];
