// The dual-package hazard: an application's ESM code imports threadkit while a CommonJS dependency
// requires it, so both builds of the package run in one thread. Their primitives must interoperate:
// a primitive of one build passed to a Thread or ThreadPool of the other arrives live, a Condition of
// one build takes a Mutex (and its guards) of the other, and a guard of one build still never
// releases a later hold taken through the other.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as esmCondition from 'threadkit/condition';
import * as esmMutex from 'threadkit/mutex';
import * as esmThread from 'threadkit/thread';
import { runFixture, watchdog } from '../thread/helpers.js';

const require = createRequire(import.meta.url);
const cjsCondition = require('threadkit/condition') as typeof esmCondition;
const cjsMutex = require('threadkit/mutex') as typeof esmMutex;
const cjsThread = require('threadkit/thread') as typeof esmThread;

type Mutex = esmMutex.Mutex;
type Build = {
  name: string;
  mutex: typeof esmMutex;
  thread: typeof esmThread;
  condition: typeof esmCondition;
};
const esm: Build = { name: 'ESM', mutex: esmMutex, thread: esmThread, condition: esmCondition };
const cjs: Build = { name: 'CommonJS', mutex: cjsMutex, thread: cjsThread, condition: cjsCondition };
/** [build of the primitive, build of the Thread/ThreadPool/Condition it is given to] */
const CROSSED: [string, Build, Build][] = [
  ['an ESM', esm, cjs],
  ['a CommonJS', cjs, esm],
];

/** Resolves once `flag[0]` is no longer 0. */
function untilSet(flag: Int32Array): Promise<unknown> {
  const r = Atomics.waitAsync(flag, 0, 0);
  return r.async ? r.value : Promise.resolve();
}

/**
 * Worker side: locks `m`, says so through `flag`, keeps it until the main thread has tried to take it
 * (flag 2), then releases it. Throws in the worker if `m` arrived as plain data.
 */
const holdUntilTried = (m: Mutex, flag: Int32Array): string => {
  const guard = m.lock();
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  Atomics.wait(flag, 0, 1, 10_000);
  guard.unlock();
  return m.constructor.name;
};

/** Runs holdUntilTried on `mutex` through `run` and checks that the worker's lock excludes this thread. */
async function checkExcludes(
  mutex: Mutex,
  run: (fn: typeof holdUntilTried, args: [Mutex, Int32Array]) => Promise<string>,
): Promise<void> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const done = run(holdUntilTried, [mutex, flag]);
  await watchdog(Promise.race([untilSet(flag), done]));
  expect(mutex.isLocked).toBe(true);
  expect(mutex.tryLock()).toBeNull();
  Atomics.store(flag, 0, 2);
  Atomics.notify(flag, 0);
  expect(await watchdog(done)).toBe('Mutex');
  mutex.tryLock()!.unlock();
}

describe('two builds in one thread', () => {
  it('loads two distinct builds', () => {
    expect(cjsMutex.Mutex).not.toBe(esmMutex.Mutex);
    expect(cjsThread.Thread).not.toBe(esmThread.Thread);
    expect(cjsCondition.Condition).not.toBe(esmCondition.Condition);
  });

  it('X.from() of one build opens an instance of the other', () => {
    const m = new esmMutex.Mutex();
    const c = new cjsCondition.Condition(cjsMutex.Mutex.from(m));
    const again = esmCondition.Condition.from(c);
    expect(again).toBeInstanceOf(esmCondition.Condition);
    expect(again.mutex).toBeInstanceOf(esmMutex.Mutex);
    using _ = again.mutex.lock();
    expect(m.isHeldByCurrentThread).toBe(true);
    expect(c.mutex.isHeldByCurrentThread).toBe(true);
  });
});

describe.each(CROSSED)('%s Mutex given to the other build', (_, prim, host) => {
  it(`arrives live in a Thread of the ${host.name} build and excludes the original`, async () => {
    const m = new prim.mutex.Mutex();
    await checkExcludes(m, (fn, args) => new host.thread.Thread(fn, { args }).start().join(10_000));
  });

  it(`arrives live in a ThreadPool task of the ${host.name} build, also inside a Map, and comes back live`, async () => {
    await using pool = new host.thread.ThreadPool({ size: 1 });
    const m = new prim.mutex.Mutex();
    await checkExcludes(m, (fn, args) => pool.run(fn, { args }));
    const back = await watchdog(
      pool.run((map: Map<string, Mutex>) => map.get('m')!, { args: [new Map([['m', m]])] }),
    );
    expect(typeof back.lock).toBe('function');
    using _ = back.lock();
    expect(m.isHeldByCurrentThread).toBe(true);
  });

  it(`is accepted, with its guards, by a Condition of the ${host.name} build`, async () => {
    const m = new prim.mutex.Mutex();
    const cond = new host.condition.Condition(m);
    expect([cond.mutex.buffer, cond.mutex.byteOffset]).toEqual([m.buffer, m.byteOffset]);
    const guard = m.lock();
    expect(cond.wait(guard, 1)).toBe(false); // released, timed out, reacquired
    expect(m.isHeldByCurrentThread).toBe(true);
    setTimeout(() => cond.notify(), 5);
    await watchdog(cond.waitAsync(guard, { timeoutMs: 10_000 }));
    expect(m.isHeldByCurrentThread).toBe(true);
    // A guard of another mutex is still refused, even one this thread holds.
    const other = new prim.mutex.Mutex();
    const otherGuard = other.lock();
    expect(() => cond.wait(otherGuard, 1)).toThrow(TypeError);
    otherGuard.unlock();
    guard.unlock(); // the caller's guard outlived both waits
    expect(m.isLocked).toBe(false);
    // So is a guard whose hold ended, while a later hold (through the other build) is current.
    const stale = m.lock();
    m.unlock();
    const current = host.mutex.Mutex.from(m).lock();
    expect(() => cond.wait(stale, 1)).toThrow(TypeError);
    current.unlock();
  });

  it(`waits on a Condition of the ${host.name} build for a notify from another thread`, async () => {
    const m = new prim.mutex.Mutex();
    const cond = new host.condition.Condition(m);
    const data = new Int32Array(new SharedArrayBuffer(4));
    const guard = await m.lockAsync();
    // Started by a Thread of the mutex's build: the Condition of the other build crosses too.
    const notifier = new prim.thread.Thread(
      (c: esmCondition.Condition, d: Int32Array) => {
        const g = c.mutex.lock();
        d[0] = 42;
        c.notifyAll();
        g.unlock();
      },
      { args: [cond, data] },
    ).start();
    const woken = cond.waitForAsync(guard, () => data[0] === 42, { timeoutMs: 10_000 });
    await watchdog(Promise.race([woken, notifier.join().then(() => woken)]));
    guard.unlock();
    await watchdog(notifier.join());
  });

  it(`errors through a Thread of the ${host.name} build arrive as that build's classes`, async () => {
    const thrown = await watchdog(
      new host.thread.Thread((m: Mutex) => m.unlock(), { args: [new prim.mutex.Mutex()] })
        .start()
        .join()
        .catch((e: unknown) => e),
    );
    expect(thrown).toBeInstanceOf(host.mutex.NotOwnerError);
    expect(thrown).toMatchObject({ name: 'NotOwnerError', code: 'ERR_NOT_OWNER' });
    // One of the other build, passed in and returned, is recognised on the way out and comes back too.
    const back = await watchdog(
      host.thread.spawn((e: unknown) => e, new prim.mutex.NotOwnerError('passed')).join(),
    );
    expect(back).toBeInstanceOf(host.mutex.NotOwnerError);
    expect(back).toMatchObject({ code: 'ERR_NOT_OWNER', message: 'passed' });
  });

  it(`leaves a stale guard unable to release a later hold taken through ${host.name}`, () => {
    const m = new prim.mutex.Mutex();
    const same = host.mutex.Mutex.from(m);
    const stale = m.lock();
    m.unlock();
    const later = same.lock();
    expect(() => stale.unlock()).toThrow(expect.objectContaining({ code: 'ERR_NOT_OWNER' }));
    stale[Symbol.dispose](); // does nothing: its hold already ended
    expect(m.isHeldByCurrentThread).toBe(true);
    // And the other way round: a stale guard of the other build, a later hold of this one.
    later.unlock();
    const staleThere = same.lock();
    same.unlock();
    const here = m.lock();
    expect(() => staleThere.unlock()).toThrow(expect.objectContaining({ code: 'ERR_NOT_OWNER' }));
    expect(m.isHeldByCurrentThread).toBe(true);
    here.unlock();
    expect(m.isLocked).toBe(false);
  });
});

describe('results revived by a build without the primitive', () => {
  it('a Mutex a task makes or returns comes back live to a CommonJS pool that loaded no Mutex', async () => {
    // In a child process: here the CommonJS build has loaded threadkit/mutex already.
    const { stdout, code } = await runFixture('dual-build-results.mjs');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      made: { live: true, esm: true },
      returned: { live: true, esm: true, shared: true },
    });
  });
});

describe('default names count across builds', () => {
  it('Threads of either build are Thread-<n>, one sequence', () => {
    const numbers = [esm, cjs, esm, cjs].map((b) => {
      const name = new b.thread.Thread(() => 0).name;
      expect(name).toMatch(/^Thread-\d+$/);
      return Number(name.slice('Thread-'.length));
    });
    expect(numbers.map((n) => n - numbers[0]!)).toEqual([0, 1, 2, 3]);
  });

  it('ThreadPools of either build are ThreadPool-<n>, one sequence', async () => {
    const numbers: number[] = [];
    for (const b of [esm, cjs, esm]) {
      await using pool = new b.thread.ThreadPool({ size: 1 });
      const name = await watchdog(
        pool.run(async () => (await import('threadkit/thread')).currentThread().name),
      );
      expect(name).toMatch(/^ThreadPool-\d+-\d+$/);
      numbers.push(Number(/^ThreadPool-(\d+)/.exec(name)![1]));
    }
    expect(numbers.map((n) => n - numbers[0]!)).toEqual([0, 1, 2]);
  });
});
