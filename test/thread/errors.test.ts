import { describe, expect, it } from 'vitest';
import { Thread, ThreadExitError, spawn } from 'threadkit/thread';
import { watchdog } from './helpers.js';

const failure = (t: Thread) =>
  watchdog(
    t.join().then(
      () => undefined,
      (e: unknown) => e,
    ),
  );

describe('errors crossing the thread boundary', () => {
  it.each(['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError'])(
    'keeps the class of %s with message, cause, own properties and both stacks',
    async (name) => {
      const t = spawn((ctorName: string) => {
        const Ctor = (globalThis as unknown as Record<string, ErrorConstructor>)[ctorName]!;
        const err = new Ctor('boom', { cause: new RangeError('inner', { cause: 'root' }) });
        Object.assign(err, { code: 'E_X', detail: { n: 1 } });
        throw err;
      }, name);
      const err = (await failure(t)) as Error & { code: string; detail: unknown };
      const Ctor = (globalThis as unknown as Record<string, ErrorConstructor>)[name]!;
      expect(err).toBeInstanceOf(Ctor);
      expect(err.name).toBe(name);
      expect(err.message).toBe('boom');
      expect(err.cause).toBeInstanceOf(RangeError);
      expect((err.cause as Error).cause).toBe('root');
      expect(err.code).toBe('E_X');
      expect(err.detail).toEqual({ n: 1 });
      expect(err.stack).toMatch(/threadkit-thread-fn[\s\S]*started from[\s\S]*errors\.test\.ts/);
      // Only the caller's frames are appended, not threadkit's own (spawn, the Thread constructor).
      expect(err.stack!.split('started from ---')[1]!.split('\n')[1]).toMatch(/errors\.test\.ts/);
    },
  );

  it('keeps AggregateError with its errors, DOMException by name, and a custom subclass name', async () => {
    const agg = (await failure(
      spawn(() => {
        throw new AggregateError([new TypeError('a'), 2], 'many');
      }),
    )) as AggregateError;
    expect(agg).toBeInstanceOf(AggregateError);
    expect(agg.errors[0]).toBeInstanceOf(TypeError);
    expect(agg.errors[1]).toBe(2);
    const dom = (await failure(
      spawn(() => {
        throw new DOMException('stop', 'AbortError');
      }),
    )) as DOMException;
    expect(dom).toBeInstanceOf(DOMException);
    expect(dom.name).toBe('AbortError');
    const custom = (await failure(
      spawn(() => {
        class ValidationError extends TypeError {
          override name = 'ValidationError';
        }
        throw new ValidationError('invalid');
      }),
    )) as Error;
    expect(custom).toBeInstanceOf(TypeError);
    expect(custom.name).toBe('ValidationError');
    expect(custom.message).toBe('invalid');
  });

  it('rethrows thrown non-errors as thrown, and rejections like throws', async () => {
    expect(await failure(spawn(() => Promise.reject(new Error('async'))))).toMatchObject({
      message: 'async',
    });
    expect(
      await failure(
        spawn(() => {
          // eslint-disable-next-line @typescript-eslint/only-throw-error
          throw { code: 7 };
        }),
      ),
    ).toEqual({ code: 7 });
    expect(
      await failure(
        spawn(() => {
          // eslint-disable-next-line @typescript-eslint/only-throw-error
          throw 'text';
        }),
      ),
    ).toBe('text');
  });

  it('result rethrows and error holds the failure', async () => {
    const t = spawn(() => {
      throw new URIError('u');
    });
    await failure(t);
    expect(() => t.result).toThrow(URIError);
    expect(t.error).toBeInstanceOf(URIError);
  });
});

describe('every way a thread dies rejects join with ThreadExitError, never a hang', () => {
  it('process.exit inside the thread', async () => {
    const err = (await failure(spawn(() => process.exit(7)))) as ThreadExitError;
    expect(err).toBeInstanceOf(ThreadExitError);
    expect(err.exitCode).toBe(7);
    const sync = spawn(() => process.exit(9));
    expect(() => sync.joinSync(10_000)).toThrow(ThreadExitError);
  });

  it('exceeding resourceLimits (out of memory)', async () => {
    const t = new Thread(
      () => {
        const hog: number[][] = [];
        for (;;) hog.push(new Array<number>(1e5).fill(1));
      },
      { resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } },
    ).start();
    const err = (await failure(t)) as ThreadExitError;
    expect(err).toBeInstanceOf(ThreadExitError);
    expect(err.exitCode).toBe(1);
    expect((err.cause as { code?: string }).code).toBe('ERR_WORKER_OUT_OF_MEMORY');
  });

  it('terminate()', async () => {
    const t = spawn(() => {
      for (;;);
    });
    await watchdog(t.terminate());
    expect(await failure(t)).toBeInstanceOf(ThreadExitError);
    expect(t.isAlive).toBe(false);
  });

  it('an uncaught error in a callback the thread scheduled', async () => {
    const t = spawn(
      () =>
        new Promise(() => {
          setTimeout(() => {
            throw new Error('late');
          }, 1);
        }),
    );
    const err = (await failure(t)) as ThreadExitError;
    expect(err).toBeInstanceOf(ThreadExitError);
    expect((err.cause as Error).message).toBe('late');
  });

  it('abort via signal terminates and rejects with the reason', async () => {
    const ac = new AbortController();
    const t = new Thread(() => new Promise(() => {}), { signal: ac.signal }).start();
    ac.abort(new Error('cancelled'));
    expect(await failure(t)).toMatchObject({ message: 'cancelled' });
    const pre = new Thread(() => 1, { signal: AbortSignal.abort('early') }).start();
    expect(await failure(pre)).toBe('early');
  });
});
