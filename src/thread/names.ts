// The numbers in default names: 'Thread-1', 'Thread-2', ... and 'ThreadPool-1', ... (whose workers are
// 'ThreadPool-1-1', ...). Like the other per-thread state (src/internal/diagnostics.ts), the counters
// live on `globalThis` under a versioned symbol: the ESM and CommonJS builds of the package can both be
// loaded into one thread, and module counters would give each build its own 'Thread-1'. globalThis is
// per thread, so each thread numbers the threads and pools it creates from 1, as it always has.

/** The counters of this thread, shared by every build of threadkit loaded into it. */
interface Counters {
  threads: number;
  pools: number;
}

/** Versioned: a future layout change takes a new key rather than misreading this one. */
const COUNTERS_KEY = Symbol.for('threadkit.thread.names.v1');

const counters: Counters = ((globalThis as Record<symbol, Counters | undefined>)[COUNTERS_KEY] ??= {
  threads: 0,
  pools: 0,
});

/** The default name of the next Thread created on this thread: 'Thread-<n>'. */
export const nextThreadName = (): string => `Thread-${++counters.threads}`;

/** The default name of the next ThreadPool created on this thread: 'ThreadPool-<n>'. */
export const nextPoolName = (): string => `ThreadPool-${++counters.pools}`;
