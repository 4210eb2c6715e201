import { EventEmitter } from 'node:events';
import { AsyncResource } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ThreadLocal, isolate, local } from 'threadkit/threadlocal';
import { threadLocalContract } from './contract.js';

threadLocalContract('AsyncLocalStorage', { ThreadLocal, local, isolate });

describe('ThreadLocal across async work', () => {
  it('keeps 10 000 concurrent tasks apart across awaits and timers', async () => {
    const id = new ThreadLocal<number>();
    const tag = local<{ task?: number }>();
    const mismatches: string[] = [];
    const check = (i: number, where: string) => {
      if (id.get() !== i || tag.task !== i) mismatches.push(`${i}@${where}: ${id.get()}/${tag.task}`);
    };
    const task = async (i: number) => {
      check(i, 'start');
      await Promise.resolve();
      check(i, 'await');
      await sleep(i % 3);
      check(i, 'timer');
      await new Promise<void>((resolve) => queueMicrotask(resolve));
      check(i, 'microtask');
      await new Promise<void>((resolve) => setImmediate(resolve));
      check(i, 'immediate');
    };
    await Promise.all(
      Array.from({ length: 10_000 }, (_, i) =>
        id.run(i, () =>
          isolate(() => {
            tag.task = i;
            return task(i);
          }),
        ),
      ),
    );
    expect(mismatches).toEqual([]);
    expect(id.has()).toBe(false);
    expect('task' in tag).toBe(false);
  });

  it('follows promise callbacks, timers and queueMicrotask started inside run()', async () => {
    const tl = new ThreadLocal<string>();
    const seen = await tl.run('v', () =>
      Promise.all([
        Promise.resolve().then(() => tl.get()),
        new Promise((resolve) => setTimeout(() => resolve(tl.get()), 1)),
        new Promise((resolve) => queueMicrotask(() => resolve(tl.get()))),
        new Promise((resolve) => process.nextTick(() => resolve(tl.get()))),
      ]),
    );
    expect(seen).toEqual(['v', 'v', 'v', 'v']);
    expect(tl.get()).toBeUndefined();
  });

  it('set() inside an async scope is seen by its later async work, not outside', async () => {
    const tl = new ThreadLocal<string>();
    tl.set('root');
    const inner = tl.run('scoped', async () => {
      await sleep(1);
      tl.set('changed');
      await sleep(1);
      return tl.get();
    });
    expect(tl.get()).toBe('root');
    expect(await inner).toBe('changed');
    expect(tl.get()).toBe('root');
  });

  it('a top-level set() (root value) is seen by async work outside every scope', async () => {
    const tl = new ThreadLocal<string>();
    const later = sleep(1).then(() => tl.get());
    tl.set('root');
    expect(await later).toBe('root');
    tl.delete();
  });

  it('isolate() keeps concurrent async requests apart', async () => {
    const user = new ThreadLocal<string>();
    const handle = (name: string) =>
      isolate(async () => {
        user.set(name);
        await sleep(name.length);
        return user.get();
      });
    expect(await Promise.all(['ann', 'bo', 'cyrille'].map(handle))).toEqual(['ann', 'bo', 'cyrille']);
    expect(user.has()).toBe(false);
  });

  it('initial() runs once per async context', async () => {
    let calls = 0;
    const tl = new ThreadLocal<number>({ initial: () => ++calls });
    const values = await Promise.all(
      [1, 2, 3].map(() =>
        isolate(async () => {
          const first = tl.get();
          await sleep(1);
          return [first, tl.get()];
        }),
      ),
    );
    expect(values).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(calls).toBe(3);
  });

  describe('EventEmitter', () => {
    it('a listener sees the context of the code that emits', () => {
      const tl = new ThreadLocal<string>();
      const emitter = new EventEmitter();
      const seen: (string | undefined)[] = [];
      tl.run('registered', () => emitter.on('x', () => seen.push(tl.get())));
      tl.run('emitting', () => emitter.emit('x'));
      emitter.emit('x');
      expect(seen).toEqual(['emitting', undefined]);
    });

    it('events emitted by async work started in the scope see its value', async () => {
      const tl = new ThreadLocal<string>();
      const emitter = new EventEmitter();
      const got = new Promise((resolve) => emitter.once('tick', () => resolve(tl.get())));
      tl.run('scoped', () => setTimeout(() => emitter.emit('tick'), 1));
      expect(await got).toBe('scoped');
    });

    it('AsyncResource.bind() runs a listener in the context that registered it', () => {
      const tl = new ThreadLocal<string>();
      const emitter = new EventEmitter();
      const seen: (string | undefined)[] = [];
      tl.run('registered', () =>
        emitter.on(
          'x',
          AsyncResource.bind(() => seen.push(tl.get())),
        ),
      );
      tl.run('emitting', () => emitter.emit('x'));
      expect(seen).toEqual(['registered']);
    });

    it('ThreadLocal.bind() runs a listener in the context that registered it, also after awaits', async () => {
      const tl = new ThreadLocal<string>();
      const emitter = new EventEmitter();
      const seen: (string | undefined)[] = [];
      const done: Promise<void>[] = [];
      for (const name of ['a', 'b']) {
        tl.run(name, () =>
          emitter.on(
            'x',
            ThreadLocal.bind(() => {
              done.push(
                (async () => {
                  await new Promise((r) => setTimeout(r, 1));
                  seen.push(tl.get());
                })(),
              );
            }),
          ),
        );
      }
      tl.run('emitting', () => emitter.emit('x'));
      await Promise.all(done);
      expect(seen.sort()).toEqual(['a', 'b']);
    });
  });
});
