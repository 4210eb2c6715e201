// Thread and ThreadPool smoke test: join/result, names, errors keep their class, a pool maps work, an
// error nobody joins is reported.
import { BlockingNotAllowedError, Thread, ThreadPool, currentThread, spawn } from 'threadkit';
import { check, sleep } from './harness.mjs';

export const tests = [
  [
    'spawn/join/result; currentThread inside and outside',
    async () => {
      check(currentThread().isMainThread && currentThread().name === 'MainThread', 'main thread info');
      const t = new Thread(
        async (a, b) => {
          const { currentThread: ct } = await import('threadkit/thread');
          return { sum: a + b, name: ct().name, main: ct().isMainThread };
        },
        { args: [2, 3], name: 'adder' },
      ).start();
      const r = await t.join();
      check(r.sum === 5 && r.name === 'adder' && r.main === false, `got ${JSON.stringify(r)}`);
      check(t.result.sum === 5 && !t.isAlive, 'result/isAlive after join');
      check(t.threadId > 0, `threadId ${t.threadId}`);
    },
  ],
  [
    'import() in a thread resolves a relative path from the creating file',
    async () => {
      // A variable: a bundler or test runner must not pre-resolve it.
      const r = await spawn(async (spec) => typeof (await import(spec)).check, './harness.mjs').join();
      check(r === 'function', `got ${r}`);
    },
  ],
  [
    'a thread error rejects join() with its class',
    async () => {
      const t = spawn(() => {
        throw new RangeError('out of range');
      });
      const err = await t.join().catch((e) => e);
      check(err instanceof RangeError && err.message === 'out of range', `got ${err}`);
    },
  ],
  [
    'joinSync (BlockingNotAllowedError on a browser main thread)',
    async (env) => {
      const t = spawn((n) => n * 2, 21);
      if (env.browserMain) {
        let thrown;
        try {
          t.joinSync();
        } catch (err) {
          thrown = err;
        }
        check(thrown instanceof BlockingNotAllowedError, `joinSync threw ${thrown}`);
        check((await t.join()) === 42, 'join after a refused joinSync');
        return;
      }
      check(t.joinSync() === 42, 'joinSync result');
    },
  ],
  [
    'ThreadPool runs and maps on 2 workers, then closes',
    async () => {
      const pool = new ThreadPool({ size: 2 });
      check((await pool.run((a, b) => a * b, { args: [6, 7] })) === 42, 'run');
      const squares = await pool.map(
        (n) => n * n,
        Array.from({ length: 20 }, (_, i) => i),
      );
      check(
        squares.every((v, i) => v === i * i),
        `map gave ${squares}`,
      );
      const err = await pool.run(() => Promise.reject(new TypeError('bad'))).catch((e) => e);
      check(err instanceof TypeError, `task error ${err}`);
      await pool.close();
    },
  ],
  [
    'a pool task uses import(); its worker stays up between tasks',
    async (env) => {
      // Deno: a pool worker that went idle took its next message with receiveMessageOnPort(parentPort),
      // which Deno refuses (its parentPort is no MessagePort), and died; the pool replaced it.
      const pool = new ThreadPool({ size: 1 });
      try {
        // Variables: a bundler or test runner must not pre-resolve them. No node: builtin in a browser.
        const builtin = env.browserMain ? undefined : 'node:path';
        const first = await pool.run(
          async (relativeSpec, builtinSpec) => {
            const { check: relative } = await import(relativeSpec);
            const path = builtinSpec === undefined ? 'a/b' : (await import(builtinSpec)).join('a', 'b');
            const { currentThread: ct } = await import('threadkit/thread');
            return { path, relative: typeof relative, threadId: ct().threadId };
          },
          { args: ['./harness.mjs', builtin] },
        );
        check(first.relative === 'function' && /^a[\\/]b$/.test(first.path), `got ${JSON.stringify(first)}`);
        await sleep(50); // the worker goes idle
        const second = await pool.run(async () => {
          const { currentThread: ct } = await import('threadkit/thread');
          return ct().threadId;
        });
        check(second === first.threadId, `worker ${first.threadId} was replaced by ${second}`);
      } finally {
        await pool.close();
      }
    },
  ],
  [
    'an error in a thread nobody looks at is reported once: a process warning, or console.error',
    async () => {
      const seen = [];
      const proc = globalThis.process;
      let restore;
      if (typeof proc?.emitWarning === 'function') {
        const onWarning = (w) => seen.push(`${w.name}: ${w.message}`);
        proc.on('warning', onWarning);
        restore = () => proc.off('warning', onWarning);
      } else {
        const original = console.error;
        console.error = (...args) => seen.push(args.join(' '));
        restore = () => (console.error = original);
      }
      try {
        const t = new Thread(
          () => {
            throw new Error('nobody joins me');
          },
          { name: 'unjoined' },
        ).start();
        while (t.isAlive) await sleep(5);
        await sleep(1100); // the grace period (1 s) in which a join() would still have seen it
        const mine = seen.filter((s) => s.startsWith('UnhandledThreadError: Exception in thread unjoined:'));
        check(
          mine.length === 1 && mine[0].includes('Error: nobody joins me'),
          `reports: ${JSON.stringify(seen)}`,
        );
        check((await t.join().catch((e) => e.message)) === 'nobody joins me', 'join() after the report');
      } finally {
        restore();
      }
    },
  ],
];
