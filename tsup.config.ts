import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { defineConfig, type Options } from 'tsup';

type Plugin = NonNullable<Options['plugins']>[number];

/** One entry per package export, plus the worker bootstrap. */
const entry = {
  index: 'src/index.ts',
  mutex: 'src/mutex/index.ts',
  semaphore: 'src/semaphore/index.ts',
  event: 'src/event/index.ts',
  latch: 'src/latch/index.ts',
  condition: 'src/condition/index.ts',
  barrier: 'src/barrier/index.ts',
  once: 'src/once/index.ts',
  rwlock: 'src/rwlock/index.ts',
  queue: 'src/queue/index.ts',
  thread: 'src/thread/index.ts',
  threadlocal: 'src/threadlocal/index.ts',
  // Worker bootstrap of Thread and ThreadPool, loaded by file URL (not an export).
  'thread-worker': 'src/thread/thread-worker.ts',
};

/**
 * The browser build: where `src/x/foo.browser.ts` exists, an import of `./foo.js` gets it instead of
 * `foo.ts`. That is how the runtime layer (src/internal/) swaps Node's worker_threads and
 * AsyncLocalStorage for Web Worker equivalents without any primitive knowing.
 */
const browserVariants: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'threadkit-browser-variants',
  setup(build) {
    build.onResolve({ filter: /^\.{1,2}\/.*\.js$/ }, (args) => {
      const variant = resolve(dirname(args.importer), args.path.replace(/\.js$/, '.browser.ts'));
      return existsSync(variant) ? { path: variant } : undefined;
    });
  },
};

/**
 * Classes keep their own names. Bundling, esbuild turns `export class Mutex {…}` into
 * `var Mutex = class _Mutex {…}` whenever the class body refers to `Mutex` (this cannot be turned
 * off), and the engine then calls the class `_Mutex`: in `Mutex.name`, in messages such as
 * "Cannot set property isLocked of #<_Mutex>" and in stack frames (`_Mutex.withLock`). This names the
 * class expression back, and its references inside the body with it: there `Mutex` is the class's
 * own binding, as `_Mutex` was. The underscore becomes a space so that no column moves and the source
 * map stays right. (esbuild's `keepNames` would fix `.name` only, at the cost of a `defineProperty`
 * call each time a named closure is created.)
 */
const classNames: Plugin = {
  name: 'threadkit-class-names',
  renderChunk(code) {
    const renamed = new Set(Array.from(code.matchAll(/\bvar ([\w$]+) = class _\1\b/g), (m) => m[1]!));
    for (const name of renamed) {
      code = code.replace(
        new RegExp(`(?<![\\w$.])_${name.replace(/\$/g, '\\$')}(?![\\w$])`, 'g'),
        ` ${name}`,
      );
    }
    return renamed.size > 0 ? { code } : undefined;
  },
};

export default defineConfig([
  {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    // Everything but dist/browser/ and dist/standalone/, which the builds below write at the same time.
    clean: ['!browser/**', '!standalone/**'],
    target: 'es2022',
    platform: 'node',
    splitting: true,
    treeshake: true,
    // import.meta.url in the CommonJS build: locates dist/thread-worker.cjs next to the chunk.
    shims: true,
    plugins: [classNames],
  },
  {
    // The bootstrap of a standalone Thread (worker-url.ts): a function target that loads no module and
    // gets no primitive in its args. What thread-worker.cjs runs, less the primitives and module
    // loading such a target never needs, in one file: a starting worker spends some 0.25 ms on each
    // file it requires, and thread-worker.cjs is two dozen. A copy of threadkit's modules is safe
    // there, since no other module of threadkit can load into such a thread.
    entry: { 'thread-worker': 'src/thread/standalone-worker.ts' },
    outDir: 'dist/standalone',
    format: ['cjs'],
    dts: false,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'node',
    splitting: false,
    // Node's modules that no code left here uses (node:os, node:url) are not loaded either.
    treeshake: { moduleSideEffects: false },
    shims: true,
    plugins: [classNames],
  },
  {
    // Browsers (the `browser` export condition): threads on module Web Workers.
    entry,
    outDir: 'dist/browser',
    format: ['esm'],
    dts: false,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'browser',
    splitting: true,
    treeshake: true,
    esbuildPlugins: [browserVariants],
    plugins: [classNames],
  },
]);
