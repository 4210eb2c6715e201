// Arguments in the wrong place: an options bag where a count or a timeout goes, a number where the
// options go, the guard left out of a Condition wait. The TypeError still names the parameter, and says
// how the call should look.
import { describe, expect, it } from 'vitest';
import {
  Barrier,
  Condition,
  CountDownLatch,
  Event,
  Mutex,
  Queue,
  RwLock,
  Semaphore,
  Thread,
  ThreadPool,
} from 'threadkit';

/** The message of the TypeError that `call` throws (or its promise rejects with). */
async function messageOf(call: () => unknown): Promise<string> {
  let error: unknown;
  try {
    await call();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(TypeError);
  return (error as TypeError).message;
}

const bad = <T>(value: unknown): T => value as T;

describe('an options bag where a count goes', () => {
  const s = new Semaphore(1);

  it('Semaphore.acquireAsync: the options go second', async () => {
    expect(await messageOf(() => s.acquireAsync(bad({ timeoutMs: 20 })))).toBe(
      'Expected `n` to be an integer, got an object; the options go second: acquireAsync(1, { timeoutMs })',
    );
    expect(s.available).toBe(1);
  });

  it('Semaphore.acquire, tryAcquire and release', async () => {
    expect(await messageOf(() => s.acquire(bad({ timeoutMs: 20 })))).toMatch(
      /^Expected `n` to be an integer, got an object; acquire\(n\) takes no options; .*tryAcquire\(n, 100\)/,
    );
    expect(await messageOf(() => s.tryAcquire(bad({ timeoutMs: 20 })))).toMatch(
      /^Expected `n` to be an integer, got an object; .*tryAcquire\(1, 100\)$/,
    );
    expect(await messageOf(() => s.release(bad({})))).toMatch(
      /^Expected `n` to be an integer, got an object; /,
    );
    expect(s.available).toBe(1);
  });

  it('constructors that take a count, then options', async () => {
    expect(await messageOf(() => new Semaphore(bad({ max: 2 })))).toBe(
      'Expected `permits` to be an integer, got an object; the options go second: new Semaphore(permits, { max, robust })',
    );
    expect(await messageOf(() => new Queue(bad({ capacity: 4 })))).toMatch(
      /^Expected `capacity` to be an integer, got an object; the options go second: new Queue\(capacity/,
    );
    expect(await messageOf(() => new CountDownLatch(bad({ count: 1 })))).toMatch(
      /^Expected `count` to be an integer, got an object; the options go second/,
    );
    expect(await messageOf(() => new Barrier(bad({ parties: 2 })))).toMatch(
      /^Expected `parties` to be an integer, got an object; the options go second/,
    );
  });

  it('a value of another type gets no hint', async () => {
    expect(await messageOf(() => s.acquireAsync(bad('1')))).toBe('Expected `n` to be an integer, got "1"');
    expect(await messageOf(() => s.acquire(bad([1])))).toBe(
      'Expected `n` to be an integer, got an instance of Array',
    );
  });
});

describe('an options bag where a timeout in milliseconds goes', () => {
  it('names the call with the timeout as a number, and the async form', async () => {
    const cases: [string, () => unknown][] = [
      ['tryLock(100), or lockAsync({ timeoutMs: 100 })', () => new Mutex().tryLock(bad({ timeoutMs: 1 }))],
      ['tryAcquire(1, 100)', () => new Semaphore(1).tryAcquire(1, bad({ timeoutMs: 1 }))],
      ['wait(100), or waitAsync({ timeoutMs: 100 })', () => new Event().wait(bad({ timeoutMs: 1 }))],
      [
        'wait(100), or waitAsync({ timeoutMs: 100 })',
        () => new CountDownLatch(1).wait(bad({ timeoutMs: 1 })),
      ],
      ['wait(100), or waitAsync({ timeoutMs: 100 })', () => new Barrier(2).wait(bad({ timeoutMs: 1 }))],
      ['tryReadLock(100), or readLockAsync', () => new RwLock().tryReadLock(bad({ timeoutMs: 1 }))],
      ['tryWriteLock(100), or writeLockAsync', () => new RwLock().tryWriteLock(bad({ timeoutMs: 1 }))],
      ['tryPut(value, 100), or putAsync', () => new Queue(1).tryPut(1, bad({ timeoutMs: 1 }))],
      ['tryGet(100), or getAsync', () => new Queue(1).tryGet(bad({ timeoutMs: 1 }))],
      ['joinSync(100)', () => new Thread(() => 1).joinSync(bad({ timeoutMs: 1 }))],
      ['join(100)', () => new Thread(() => 1).join(bad({ timeoutMs: 1 }))],
    ];
    for (const [usage, call] of cases) {
      const message = await messageOf(call);
      expect(message).toMatch(
        /^Expected `timeoutMs` to be a number of milliseconds, got an object; the timeout is a number here, not an options object: /,
      );
      expect(message).toContain(usage);
    }
  });
});

describe('a value where the options go', () => {
  it('a number where wait options go: the timeout goes in them', async () => {
    for (const call of [
      () => new Mutex().lockAsync(bad(10)),
      () => new Event().waitAsync(bad(10)),
      () => new Queue(1).getAsync(bad(10)),
      () => new Semaphore(0).acquireAsync(1, bad(10)),
    ]) {
      expect(await messageOf(call)).toBe(
        'Expected `options` to be an object, got 10; a timeout goes in the options: { timeoutMs: 10 }',
      );
    }
  });

  it('arguments where a Thread or ThreadPool.run takes its options: they go in args', async () => {
    const pool = new ThreadPool({ size: 1 });
    try {
      expect(await messageOf(() => pool.run((a: number) => a, bad(1)))).toBe(
        'Expected `options` to be an object, got 1; arguments for the function go in the options: { args: [...] }',
      );
      expect(await messageOf(() => new Thread((a: number) => a, bad([1])))).toBe(
        'Expected `options` to be an object, got an instance of Array; arguments for the function go in the options: { args: [...] }',
      );
    } finally {
      await pool.destroy();
    }
  });

  it('a size where ThreadPool takes its options', async () => {
    expect(await messageOf(() => new ThreadPool(bad(4)))).toBe(
      'Expected `options` to be an object, got 4; a size goes in the options: { size: 4 }',
    );
  });

  it('the function after the options in withLockAsync and ThreadPool.map', async () => {
    expect(
      await messageOf(() =>
        new Mutex().withLockAsync(
          bad({ timeoutMs: 1 }),
          bad(() => 1),
        ),
      ),
    ).toBe(
      'Expected `fn` to be a function, got an object; the function goes first: withLockAsync(fn, { timeoutMs })',
    );
    const pool = new ThreadPool({ size: 1 });
    try {
      expect(
        await messageOf(() =>
          pool.map(
            bad<(item: unknown) => unknown>([1, 2]),
            bad<Iterable<unknown>>((x: number) => x),
          ),
        ),
      ).toBe(
        'Expected `fn` to be a function, got an instance of Array; the function goes first: map(fn, items)',
      );
    } finally {
      await pool.destroy();
    }
  });
});

describe('Condition waits without their guard', () => {
  const mutex = new Mutex();
  const cond = new Condition(mutex);

  it('waitForAsync(predicate, options): the guard goes first', async () => {
    expect(
      await messageOf(() =>
        cond.waitForAsync(
          bad(() => true),
          bad({ timeoutMs: 10 }),
        ),
      ),
    ).toBe(
      'Expected `guard` to be a MutexGuard, got a function (the predicate?); Condition.waitForAsync() takes the guard that `mutex.lock()` returned first: cond.waitForAsync(guard, predicate, { signal, timeoutMs })',
    );
  });

  it('waitFor(predicate, timeoutMs), wait(timeoutMs), waitAsync(options)', async () => {
    expect(
      await messageOf(() =>
        cond.waitFor(
          bad(() => true),
          bad(100),
        ),
      ),
    ).toMatch(
      /^Expected `guard` to be a MutexGuard, got a function \(the predicate\?\); .*cond\.waitFor\(guard, predicate, timeoutMs\)$/,
    );
    expect(await messageOf(() => cond.wait(bad(100)))).toMatch(
      /^Expected `guard` to be a MutexGuard, got 100 \(the timeout\?\); .*cond\.wait\(guard, timeoutMs\)$/,
    );
    expect(await messageOf(() => cond.waitAsync(bad({ timeoutMs: 10 })))).toMatch(
      /^Expected `guard` to be a MutexGuard, got an object \(the options\?\); .*cond\.waitAsync\(guard, \{ signal, timeoutMs \}\)$/,
    );
  });

  it('a guard without its predicate: the options go third', async () => {
    const guard = mutex.lock();
    try {
      expect(await messageOf(() => cond.waitForAsync(guard, bad({ timeoutMs: 10 })))).toBe(
        'Expected `predicate` to be a function, got an object; the options go third: cond.waitForAsync(guard, predicate, { signal, timeoutMs })',
      );
      expect(await messageOf(() => cond.waitFor(guard, bad(100)))).toMatch(
        /^Expected `predicate` to be a function, got 100; the timeout goes third: /,
      );
      expect(await messageOf(() => cond.wait(guard, bad({ timeoutMs: 10 })))).toMatch(
        /got an object; the timeout is a number here, not an options object: cond\.wait\(guard, 100\)$/,
      );
    } finally {
      guard.unlock();
    }
    expect(mutex.isLocked).toBe(false);
  });
});
