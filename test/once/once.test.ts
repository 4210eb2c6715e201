import { describe, expect, it } from 'vitest';
import { DeadlockError, Once, TimeoutError } from '../../src/once/index.js';
import { Event } from '../../src/event/index.js';
import { asyncResults, thrownBy, unhandledDuring } from '../helpers/async-misuse.js';
import { runWorkers, sleep, withWatchdog } from '../helpers/toolbox-workers.js';

describe('Once (one thread)', () => {
  it('runs once; a throwing run leaves it incomplete for a retry', async () => {
    const o = new Once();
    expect(() =>
      o.run(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(o.isDone).toBe(false);
    let calls = 0;
    expect(o.run(() => calls++)).toBe(true);
    expect(o.run(() => calls++)).toBe(false);
    expect(await o.runAsync(() => calls++)).toBe(false);
    expect(calls).toBe(1);
    expect(o.isDone).toBe(true);
  });

  it('async: concurrent callers wait for the running one; timeout and abort while waiting', async () => {
    const o = new Once();
    // The running call ends only when the test says so: a sleep could end before the waits below
    // time out on a loaded machine, and they would then see a finished Once instead of waiting.
    let finish!: () => void;
    const first = o.runAsync(() => new Promise<void>((resolve) => (finish = resolve)));
    await expect(o.runAsync(() => {}, { timeoutMs: 5 })).rejects.toBeInstanceOf(TimeoutError);
    const reason = new Error('stop');
    await expect(o.runAsync(() => {}, { signal: AbortSignal.timeout(5) })).rejects.toHaveProperty(
      'name',
      'TimeoutError',
    );
    const ac = new AbortController();
    setTimeout(() => ac.abort(reason), 5);
    await expect(o.runAsync(() => {}, { signal: ac.signal })).rejects.toBe(reason);
    expect(() => o.run(() => {})).toThrow(DeadlockError); // this thread is running it (async)
    const second = o.runAsync(() => {});
    finish();
    expect(await first).toBe(true);
    expect(await second).toBe(false);
  });

  it('runAsync from inside its own function rejects with DeadlockError instead of hanging', async () => {
    const o = new Once();
    const inner = new Once();
    const seen: unknown[] = [];
    const ran = o.runAsync(async () => {
      await sleep(1); // after an await: the async context must follow
      // Another once, run from inside: fine, and inside *it* both are "running".
      await inner.runAsync(async () => {
        await sleep(1);
        seen.push(await o.runAsync(() => {}).catch((err: unknown) => err));
        seen.push(await inner.runAsync(() => {}).catch((err: unknown) => err));
      });
      seen.push(await o.runAsync(() => {}).catch((err: unknown) => err));
    });
    // A task that is not inside the function waits for the run instead.
    const outside = o.runAsync(() => seen.push('ran twice'));
    expect(await withWatchdog(ran, 2_000, 'the outer run')).toBe(true);
    expect(seen).toHaveLength(3);
    for (const err of seen) {
      expect(err).toBeInstanceOf(DeadlockError);
      expect((err as Error).message).toMatch(/Once\.runAsync\(\) was called from inside its own function/);
    }
    expect(await outside).toBe(false);
    expect(o.isDone && inner.isDone).toBe(true);
  });

  it('run(fn) with an async fn throws a TypeError naming runAsync; the once stays incomplete and free', async () => {
    for (const [what, fn] of asyncResults) {
      const o = new Once();
      const unhandled = await unhandledDuring(() => {
        const err = thrownBy(() => o.run(fn));
        expect(err, what).toBeInstanceOf(TypeError);
        expect((err as TypeError).message, what).toBe(
          'Expected `fn` to return a value, got a Promise: Once.run() cannot wait across `await` for the ' +
            'initialisation to finish (the once stays incomplete); use runAsync() for an async function',
        );
        expect(o.isDone, what).toBe(false);
        // Not left "running": the next run() runs its function at once (no DeadlockError, no wait).
        expect(
          o.run(() => {}),
          what,
        ).toBe(true);
      });
      // Each of them rejects: the TypeError reported it, so it must not also go unhandled.
      expect(unhandled, what).toEqual([]);
    }
  });

  it('run(fn): a result with a non-function `then` is a value, not a thenable', () => {
    for (const value of [{ then: 42 }, { then: null }, Object.assign(() => 1, { then: 'x' })]) {
      const o = new Once();
      expect(o.run(() => value)).toBe(true);
      expect(o.isDone).toBe(true);
    }
  });

  it('misuse and bad input throw at once', () => {
    const o = new Once();
    expect(() => o.run(() => o.run(() => {}))).toThrow(DeadlockError);
    expect(() => o.run('x' as never)).toThrow(/`fn`/);
    expect(() => Once.from(structuredClone(new Event()))).toThrow(/holds no Once/);
    const o2 = Once.from(structuredClone(o));
    o2.run(() => {});
    expect(o.isDone).toBe(true);
  });

  it('refuses an unknown option key with a TypeError naming it, without running fn', async () => {
    expect(() => new Once({ done: true } as never)).toThrow(TypeError);
    expect(() => new Once({ done: true } as never)).toThrow(
      'Unknown option `done` in `options` of new Once() (known: buffer, byteOffset)',
    );
    const o = new Once({ buffer: new SharedArrayBuffer(Once.BYTES), byteOffset: 0 });
    let ran = false;
    await expect(o.runAsync(() => (ran = true), { timeout: 50 } as never)).rejects.toThrow(
      /^Unknown option `timeout` in `options` of Once\.runAsync\(\); did you mean `timeoutMs`\?/,
    );
    expect(ran).toBe(false);
    expect(await o.runAsync(() => (ran = true), { timeoutMs: 50 })).toBe(true);
    expect(ran).toBe(true);
  });
});

describe('Once (worker threads, built package)', () => {
  it('runs the function in exactly one of many racing threads', async () => {
    const once = new Once();
    const stats = new SharedArrayBuffer(8);
    const data = [false, true, false, true].map((async) => ({ once, stats, async }));
    const results = await runWorkers<string>('once-run.mjs', data);
    expect(results.filter((r) => r === 'ran')).toHaveLength(1);
    expect(results.filter((r) => r === 'skipped')).toHaveLength(3);
    expect([...new Int32Array(stats)]).toEqual([1, 1]);
  });

  it('lets a waiter retry after the running thread throws', async () => {
    const once = new Once();
    const stats = new SharedArrayBuffer(8);
    const data = [false, true, false, true].map((async) => ({ once, stats, async, failFirst: true }));
    const results = await runWorkers<string>('once-run.mjs', data);
    expect(results.filter((r) => r === 'threw')).toHaveLength(1);
    expect(results.filter((r) => r === 'ran')).toHaveLength(1);
    expect([...new Int32Array(stats)]).toEqual([2, 1]);
  });
});
