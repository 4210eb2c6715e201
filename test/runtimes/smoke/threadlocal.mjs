// ThreadLocal smoke test: per-thread values, run() scoping, and (where the runtime has
// AsyncLocalStorage) values that follow async work.
import { ThreadLocal, Thread, local } from 'threadkit';
import { check, sleep } from './harness.mjs';

export const tests = [
  [
    'get/set/run on this thread; a thread starts with its own value',
    async () => {
      const tl = new ThreadLocal({ initial: () => 'initial' });
      tl.set('main');
      check(tl.get() === 'main', 'set/get');
      check(tl.run('scoped', () => tl.get()) === 'scoped', 'run scopes the value');
      check(tl.get() === 'main', 'run restores the value');
      const ns = local();
      ns.user = 'ada';
      check(ns.user === 'ada', 'local() attribute');
      const inThread = await new Thread(async () => {
        const { ThreadLocal: TL } = await import('threadkit/threadlocal');
        const other = new TL({ initial: () => 'fresh' });
        return other.get();
      })
        .start()
        .join();
      check(inThread === 'fresh', `thread saw ${inThread}`);
    },
  ],
  [
    'run() value follows await where async context exists',
    async (env) => {
      const tl = new ThreadLocal();
      const seen = await tl.run('ctx', async () => {
        await sleep(1);
        return tl.get();
      });
      const expected = env.asyncContext ? 'ctx' : undefined;
      check(seen === expected, `after await saw ${seen}, expected ${expected}`);
    },
  ],
];
