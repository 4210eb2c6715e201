// An argument that structured clone refuses fails with an error that names it and the path inside it
// (`args[1]`, `args[0].deep.list[1]`, `items[2].f`), as a Queue's error names where shared memory sat,
// instead of the runtime's bare "() => 1 could not be cloned."; so does a result (`result.handlers[0].cb`).
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { Thread, ThreadPool, spawn } from 'threadkit/thread';
import { watchdog } from './helpers.js';
import { thrown } from '../helpers/thrown.js';

describe('an argument that cannot be cloned', () => {
  it('spawn() and Thread.start() throw a DataCloneError naming it; join() rejects with the same', async () => {
    const err = thrown(() =>
      spawn(
        (_a: number, _f: () => number) => 1,
        1,
        () => 1,
      ),
    );
    expect(err.name).toBe('DataCloneError');
    expect(err.message).toMatch(
      /^Expected `args\[1\]` to be structured-cloneable, got a function\. A function cannot be sent to another thread: define it inside the thread function/,
    );
    expect(err.message).toContain('(() => 1 could not be cloned.)');

    const t = new Thread((_o: unknown) => 1, { args: [{ deep: { list: [1, Symbol('s')] } }] });
    const nested = thrown(() => t.start());
    expect(nested.name).toBe('DataCloneError');
    expect(nested.message).toMatch(
      /^Expected `args\[0\]\.deep\.list\[1\]` to be structured-cloneable, got a symbol \(Symbol\(s\)\)/,
    );
    await expect(watchdog(t.join())).rejects.toBe(nested);
  });

  it('names objects structured clone refuses, inside Maps too, and says to transfer a port', () => {
    const weak = thrown(() => spawn((_m: unknown) => 1, new Map([['k', { w: new WeakMap() }]])));
    expect(weak.message).toMatch(
      /^Expected `args\[0\] \(Map entry 0\)\.w` to be structured-cloneable, got an instance of WeakMap\./,
    );
    const { port1, port2 } = new MessageChannel();
    try {
      const port = thrown(() => spawn((_o: unknown) => 1, { port: port1 }));
      expect(port.message).toMatch(
        /^Expected `args\[0\]\.port` to be structured-cloneable, got an instance of MessagePort\. Put it in `transfer` to move it to the thread\./,
      );
    } finally {
      port1.close();
      port2.close();
    }
  });

  it('ThreadPool.run() and map() reject with it, naming `args[i]` or `items[k]`; other tasks run', async () => {
    await using pool = new ThreadPool({ size: 1 });
    const [ok, bad, alsoOk] = await watchdog(
      Promise.allSettled([
        pool.run((x: number) => x, { args: [1] }),
        pool.run((_a: number, _f: unknown) => 1, { args: [1, () => 2] }),
        pool.run((x: number) => x, { args: [3] }),
      ]),
    );
    expect(ok).toEqual({ status: 'fulfilled', value: 1 });
    expect(alsoOk).toEqual({ status: 'fulfilled', value: 3 });
    const reason = (bad as PromiseRejectedResult).reason as Error;
    expect(reason.name).toBe('DataCloneError');
    expect(reason.message).toMatch(/^Expected `args\[1\]` to be structured-cloneable, got a function\./);

    const mapped = (await watchdog(
      pool.map((x: unknown) => x, [1, 2, { f() {} }]).catch((e: unknown) => e),
    )) as Error;
    expect(mapped.name).toBe('DataCloneError');
    expect(mapped.message).toMatch(/^Expected `items\[2\]\.f` to be structured-cloneable, got a function\./);
  });
});

describe('a result that cannot be cloned', () => {
  it('a pool task rejects with a DataCloneError saying it was the returned value, and where', async () => {
    await using pool = new ThreadPool({ size: 1 });
    const [fn, nested, symbol, ok] = await watchdog(
      Promise.allSettled([
        pool.run(() => () => 1),
        pool.run(() => ({ ok: 1, handlers: [{ cb() {} }] })),
        pool.run(() => Symbol('s')),
        pool.run(() => 'next'),
      ]),
    );
    // It used to be the runtime's bare "() => 1 could not be cloned.", which does not say that the
    // task's own return value was the culprit, nor where inside it.
    const reason = (r: PromiseSettledResult<unknown>) => (r as PromiseRejectedResult).reason as Error;
    expect(reason(fn).name).toBe('DataCloneError');
    expect(reason(fn).message).toMatch(
      /^Expected the returned value to be structured-cloneable, got a function\. The value a thread function returns is copied back to the caller, and a function cannot be sent to another thread: return data/,
    );
    expect(reason(fn).message).toContain('(() => 1 could not be cloned.)');
    expect(reason(nested).message).toMatch(
      /^Expected `result\.handlers\[0\]\.cb` in the returned value to be structured-cloneable, got a function\./,
    );
    expect(reason(symbol).message).toMatch(
      /^Expected the returned value to be structured-cloneable, got a symbol \(Symbol\(s\)\)\. The value a thread function returns is copied back to the caller with structured clone/,
    );
    expect(ok).toEqual({ status: 'fulfilled', value: 'next' });
  });

  it("a Thread's join() rejects with the same", async () => {
    const err = (await watchdog(
      spawn(() => ({ f() {} }))
        .join()
        .catch((e: unknown) => e),
    )) as Error;
    expect(err.name).toBe('DataCloneError');
    expect(err.message).toMatch(
      /^Expected `result\.f` in the returned value to be structured-cloneable, got a function\./,
    );
  });

  it('a getter in the result that throws: its error is the outcome, and the thread is not reported dead', async () => {
    const result = () => ({
      get x(): number {
        throw new RangeError('boom from a getter');
      },
    });
    await using pool = new ThreadPool({ size: 1 });
    const [joined, ran] = await watchdog(Promise.allSettled([spawn(result).join(), pool.run(result)]));
    for (const r of [joined, ran]) {
      const err = (r as PromiseRejectedResult).reason as Error;
      expect(err).toBeInstanceOf(RangeError);
      expect(err.message).toBe('boom from a getter');
    }
  });
});
