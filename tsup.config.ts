import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { defineConfig, type Options } from 'tsup';

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

export default defineConfig([
  {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    // Everything but dist/browser/, which the browser build below writes at the same time.
    clean: ['!browser/**'],
    target: 'es2022',
    platform: 'node',
    splitting: true,
    treeshake: true,
    // import.meta.url in the CommonJS build: locates dist/thread-worker.cjs next to the chunk.
    shims: true,
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
  },
]);
