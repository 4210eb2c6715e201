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
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'node',
  splitting: true,
  treeshake: true,
});
