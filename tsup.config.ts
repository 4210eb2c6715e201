import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    mutex: 'src/mutex/index.ts',
    semaphore: 'src/semaphore/index.ts',
    event: 'src/event/index.ts',
    latch: 'src/latch/index.ts',
    condition: 'src/condition/index.ts',
    barrier: 'src/barrier/index.ts',
    once: 'src/once/index.ts',
    rwlock: 'src/rwlock/index.ts',
    thread: 'src/thread/index.ts',
    threadlocal: 'src/threadlocal/index.ts',
    // Worker bootstrap of Thread and ThreadPool, loaded by file URL (not an export).
    'thread-worker': 'src/thread/thread-worker.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'node',
  splitting: true,
  treeshake: true,
  // import.meta.url in the CommonJS build: locates dist/thread-worker.cjs next to the chunk.
  shims: true,
});
