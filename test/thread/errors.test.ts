import { describe, expect, it } from 'vitest';
import * as threadkit from 'threadkit';
import {
  DeadlockError,
  InconsistentStateError,
  NotOwnerError,
  QueueFullError,
  ThreadkitError,
  TimeoutError,
} from 'threadkit';
import { Mutex } from 'threadkit/mutex';
import { Thread, ThreadExitError, ThreadPool, spawn } from 'threadkit/thread';
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

describe("threadkit's own errors crossing the thread boundary", () => {
  it('a thread that misuses a Mutex rejects with a NotOwnerError or DeadlockError of this thread', async () => {
    const notOwner = (await failure(spawn((m: Mutex) => m.unlock(), new Mutex()))) as NotOwnerError;
    expect(notOwner).toBeInstanceOf(NotOwnerError);
    expect(notOwner).toBeInstanceOf(ThreadkitError);
    expect(notOwner.constructor).toBe(NotOwnerError);
    expect(notOwner.name).toBe('NotOwnerError');
    expect(notOwner.code).toBe('ERR_NOT_OWNER');
    expect(notOwner.message).toMatch(/unlock/i);
    expect(Object.keys(notOwner).sort()).toEqual(['code', 'name']);
    expect(notOwner.stack).toMatch(/^NotOwnerError: [\s\S]*started from[\s\S]*errors\.test\.ts/);
    const deadlock = (await failure(
      spawn((m: Mutex) => {
        m.lock();
        m.lock();
      }, new Mutex()),
    )) as DeadlockError;
    expect(deadlock).toBeInstanceOf(DeadlockError);
    expect(deadlock.code).toBe('ERR_DEADLOCK');
  });

  it('a pool task rejects with the class it threw, with its own properties and cause', async () => {
    await using pool = new ThreadPool({ size: 1 });
    const err = (await watchdog(
      pool
        .run(async () => {
          const { ThreadExitError, TimeoutError } = await import('threadkit');
          throw new ThreadExitError(3, 'gone', { cause: new TimeoutError('late') });
        })
        .catch((e: unknown) => e),
    )) as ThreadExitError;
    expect(err).toBeInstanceOf(ThreadExitError);
    expect(err.exitCode).toBe(3);
    expect(err.code).toBe('ERR_THREAD_EXIT');
    expect(err.message).toBe('gone');
    expect(err.cause).toBeInstanceOf(TimeoutError);
    expect((err.cause as TimeoutError).code).toBe('ERR_TIMEOUT');
    expect(err.stack).toMatch(/^ThreadExitError: gone[\s\S]*started from[\s\S]*errors\.test\.ts/);
  });

  it('keeps the class of a cause, nested, and of errors in a result or in args', async () => {
    const nested = (await failure(
      spawn(async () => {
        const { DeadlockError, InconsistentStateError } = await import('threadkit');
        throw new Error('outer', {
          cause: new AggregateError([new InconsistentStateError('bad word')], 'many', {
            cause: new DeadlockError('inner'),
          }),
        });
      }),
    )) as Error;
    const agg = nested.cause as AggregateError;
    expect(agg).toBeInstanceOf(AggregateError);
    expect(agg.errors[0]).toBeInstanceOf(InconsistentStateError);
    expect(agg.cause).toBeInstanceOf(DeadlockError);
    expect((agg.cause as DeadlockError).message).toBe('inner');

    const result = await watchdog(
      spawn(async () => {
        const { QueueFullError } = await import('threadkit');
        const err = new QueueFullError('full');
        return { err, list: [err], map: new Map([['e', err]]) };
      }).join(),
    );
    expect(result.err).toBeInstanceOf(QueueFullError);
    expect(result.err.code).toBe('ERR_QUEUE_FULL');
    expect(result.err.message).toBe('full');
    expect(result.list[0]).toBe(result.err); // one error referenced three times arrives as one
    expect(result.map.get('e')).toBe(result.err);

    const seen = await watchdog(
      spawn(async (err: unknown) => {
        const { NotOwnerError } = await import('threadkit');
        return [err instanceof NotOwnerError, (err as NotOwnerError).code, err] as const;
      }, new NotOwnerError('passed in')).join(),
    );
    expect(seen.slice(0, 2)).toEqual([true, 'ERR_NOT_OWNER']);
    expect(seen[2]).toBeInstanceOf(NotOwnerError);
  });

  it("a user's error in a result or in args keeps its name, cause and own properties, as a thrown one", async () => {
    type Carried = Error & { code?: string; detail?: unknown };
    const check = (err: unknown, what: string) => {
      const e = err as Carried;
      expect(e, what).toBeInstanceOf(RangeError);
      expect(e, what).toMatchObject({ name: 'LimitError', message: 'too big', code: 'E_LIMIT' });
      expect(e.detail, what).toEqual({ max: 3 });
      expect(e.cause, what).toBeInstanceOf(TypeError);
      expect((e.cause as Carried).code, what).toBe('E_INNER');
    };
    const make = () => {
      class LimitError extends RangeError {
        override name = 'LimitError';
        code = 'E_LIMIT';
        detail = { max: 3 };
      }
      return new LimitError('too big', { cause: Object.assign(new TypeError('inner'), { code: 'E_INNER' }) });
    };
    const fromThread = await watchdog(
      spawn((src: string) => {
        const err = (0, eval)(src) as () => Error;
        const e = err();
        return { ok: false, err: e, all: [e, e], deep: { map: new Map([['e', e]]) } };
      }, `(${make.toString()})`).join(),
    );
    check(fromThread.err, 'thread result');
    expect(fromThread.all[0]).toBe(fromThread.err); // one error referenced three times arrives as one
    expect(fromThread.deep.map.get('e')).toBe(fromThread.err);
    // Thrown: inside a thrown non-error, and deep inside a thrown error's own property.
    const thrown = (await failure(
      spawn((src: string) => {
        const err = (0, eval)(src) as () => Error;
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw { reason: err() };
      }, `(${make.toString()})`),
    )) as { reason: unknown };
    check(thrown.reason, 'thrown non-error');
    const outer = (await failure(
      spawn((src: string) => {
        const err = (0, eval)(src) as () => Error;
        throw Object.assign(new Error('outer'), { detail: { inner: [err()] } });
      }, `(${make.toString()})`),
    )) as Error & { detail: { inner: unknown[] } };
    check(outer.detail.inner[0], "thrown error's own property");

    await using pool = new ThreadPool({ size: 1 });
    const fromPool = await watchdog(
      pool.run(
        (src: string) => {
          const err = (0, eval)(src) as () => Error;
          return [err()];
        },
        { args: [`(${make.toString()})`] },
      ),
    );
    check(fromPool[0], 'pool result');

    // Passed in: the thread sees what was sent, and sends it back.
    const seen = await watchdog(
      spawn(
        (e: Error & { code?: string }) => [e.name, e.code, e instanceof RangeError, e] as const,
        make(),
      ).join(),
    );
    expect(seen.slice(0, 3)).toEqual(['LimitError', 'E_LIMIT', true]);
    check(seen[3], 'thread args, sent back');
    const seenByPool = await watchdog(
      pool.run((e: { err: Error & { code?: string } }) => [e.err.code, e.err], { args: [{ err: make() }] }),
    );
    expect(seenByPool[0]).toBe('E_LIMIT');
    check(seenByPool[1], 'pool args, sent back');
    const mapped = await watchdog(pool.map((e: Error) => (e as Carried).code, [make()]));
    expect(mapped).toEqual(['E_LIMIT']);
  });

  it('every error class threadkit exports arrives as itself, in a result too', async () => {
    const classes = (Object.entries(threadkit) as [string, unknown][]).filter(
      (entry): entry is [string, new (...args: never[]) => Error] =>
        typeof entry[1] === 'function' && entry[1].prototype instanceof Error,
    );
    expect(classes.length).toBeGreaterThanOrEqual(15);
    const sent = classes.map(([name, cls]) => {
      const make = cls as unknown as new (...args: unknown[]) => Error & { code: string };
      if (name === 'ThreadkitError') return new make('ERR_CUSTOM', name);
      if (name === 'ThreadExitError') return new make(2, name);
      return new make(name);
    });
    // A cycle through an error's own property is cut off, not followed for ever.
    Object.assign(sent[0]!, { all: sent });
    await using pool = new ThreadPool({ size: 1 });
    const back = await watchdog(pool.run((errors: Error[]) => errors, { args: [sent] }));
    classes.forEach(([name, cls], i) => {
      expect(back[i], name).toBeInstanceOf(cls);
      expect(back[i], name).toMatchObject({ name, message: name, code: sent[i]!.code });
    });
  });

  it('a user error that only looks like one keeps to its built-in class', async () => {
    const err = (await failure(
      spawn(() => {
        class TimeoutError extends Error {
          override name = 'TimeoutError';
          code = 'ERR_TIMEOUT';
        }
        throw new TimeoutError('mine');
      }),
    )) as Error;
    expect(err).not.toBeInstanceOf(TimeoutError);
    expect(err.constructor).toBe(Error);
    expect(err).toMatchObject({ name: 'TimeoutError', code: 'ERR_TIMEOUT', message: 'mine' });
    // A subclass of a threadkit error arrives as that threadkit class, keeping its name.
    const sub = (await failure(
      spawn(async () => {
        const { TimeoutError } = await import('threadkit');
        class SlowStepError extends TimeoutError {
          override name = 'SlowStepError';
        }
        throw new SlowStepError('slow');
      }),
    )) as TimeoutError;
    expect(sub).toBeInstanceOf(TimeoutError);
    expect(sub).toMatchObject({ name: 'SlowStepError', code: 'ERR_TIMEOUT', message: 'slow' });
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
