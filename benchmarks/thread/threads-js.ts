// threads.js (npm package `threads`), the peer that runs the thread suite's tiny task through its
// `Pool` and its `spawn`. Its workers are files that `expose` their functions: here
// benchmarks/fixtures/thread-task-threads.mjs, which exposes the same addOne the other pools run.
//
// Loaded on first use, not imported at the top: importing `threads` installs SIGINT and SIGTERM
// handlers that terminate its workers and then exit the process with code 0, and the bench runner
// imports every suite file (to match names), so a static import would change how Ctrl-C ends every
// bench run. Those handlers are removed again right after loading (this suite stops its workers itself).

/** A spawned worker that exposes the task (x + 1); calls resolve with its result. */
type AddOneThread = (x: number) => Promise<number>;

/**
 * The part of its API used here. Declared here because its typings cannot be reached from an ES
 * module: its package.json `exports` sends `import` to index.mjs, which has no declaration file.
 */
interface ThreadsJs {
  Worker: new (relativePath: string) => object;
  spawn(worker: object): Promise<AddOneThread>;
  /** Its pool: `size` workers, each running one task at a time (its default `concurrency`). */
  Pool(
    spawnWorker: () => Promise<AddOneThread>,
    size: number,
  ): {
    queue<R>(task: (worker: AddOneThread) => Promise<R>): PromiseLike<R>;
    terminate(force?: boolean): Promise<void>;
  };
  Thread: { terminate(thread: AddOneThread): Promise<void> };
}

const PACKAGE = 'threads';

let loaded: Promise<ThreadsJs> | undefined;

/** The `threads` package, without the signal handlers its import installs. */
function loadThreadsJs(): Promise<ThreadsJs> {
  loaded ??= (async () => {
    const before = {
      SIGINT: new Set(process.listeners('SIGINT')),
      SIGTERM: new Set(process.listeners('SIGTERM')),
    };
    const name: string = PACKAGE; // a variable: see ThreadsJs for why not its own typings
    const threads = (await import(name)) as ThreadsJs;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      for (const l of process.listeners(signal)) if (!before[signal].has(l)) process.off(signal, l);
    }
    return threads;
  })();
  return loaded;
}

/**
 * Spawns one threads.js worker running the task file. The path is relative to this file on purpose:
 * threads.js resolves a worker path against the file of the code that constructs the Worker (found
 * on the call stack), and joins even an absolute path onto that folder.
 */
function spawnAddOne(threads: ThreadsJs): Promise<AddOneThread> {
  return threads.spawn(new threads.Worker('../fixtures/thread-task-threads.mjs'));
}

/** A threads.js `Pool` of `size` workers with its default options. */
export async function threadsJsPool(size: number): Promise<{
  run(x: number): Promise<number>;
  stop(): Promise<void>;
}> {
  const threads = await loadThreadsJs();
  const pool = threads.Pool(() => spawnAddOne(threads), size);
  return {
    run: async (x) => pool.queue((addOne) => addOne(x)),
    stop: () => pool.terminate(),
  };
}

/** One threads.js worker, spawned (resolved once it reported ready); call it, then terminate it. */
export async function threadsJsSpawn(): Promise<{
  call(x: number): Promise<number>;
  terminate(): Promise<void>;
}> {
  const threads = await loadThreadsJs();
  const addOne = await spawnAddOne(threads);
  return { call: addOne, terminate: () => threads.Thread.terminate(addOne) };
}
