// Generic helpers for tests that run worker fixtures: spawn by name, collect results, and a watchdog so a
// hang fails fast instead of eating the whole test timeout. Every worker started here is tracked, and
// `terminateAll()` (call it in afterEach) ends whatever a failed test left behind.
import { Worker } from 'node:worker_threads';

/** True when the stress config runs (`npm run test:stress`). */
export const STRESS = process.env.THREADKIT_STRESS === '1';

/** URL of a worker fixture in `test/fixtures/`, e.g. `fixture('mutex-hammer.mjs')`. */
export function fixture(name: string): URL {
  return new URL(`../fixtures/${name}`, import.meta.url);
}

const live = new Set<Worker>();

/** Starts a worker on a fixture and tracks it for {@link terminateAll}. */
export function startWorker(url: URL, workerData?: unknown): Worker {
  const worker = new Worker(url, { workerData });
  live.add(worker);
  worker.once('exit', () => live.delete(worker));
  return worker;
}

/** Terminates every worker still running. */
export async function terminateAll(): Promise<void> {
  const all = [...live];
  live.clear();
  await Promise.all(all.map((w) => w.terminate()));
}

/**
 * Resolves with `promise`, or rejects after `timeoutMs` and terminates all tracked workers, so a hang
 * (a lost wake-up, a stranded waiter) fails fast with a message saying what hung.
 */
export async function watchdog<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void terminateAll();
      reject(new Error(`watchdog: ${what} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves with the first message the worker posts; rejects if it errors or exits first. */
export function firstMessage<T>(worker: Worker): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`worker exited with code ${code} before replying`));
    worker.once('message', (msg: T) => {
      worker.off('exit', onExit);
      resolve(msg);
    });
    worker.once('error', reject);
    worker.once('exit', onExit);
  });
}

export interface RunWorkersOptions {
  /** Watchdog for the whole run. @default 20_000 */
  readonly timeoutMs?: number;
  /** Runs once all workers are started (e.g. the main thread joining in); awaited with the workers. */
  readonly alongside?: () => Promise<unknown>;
}

/**
 * Runs `n` workers on a fixture, worker `i` with `workerData(i)`, and resolves with the
 * first message each one posts, in worker order. Rejects on a worker error or early exit, or when
 * the watchdog expires (all workers are terminated then).
 */
export async function runWorkers<R>(
  url: URL,
  n: number,
  workerData: (index: number) => unknown,
  options: RunWorkersOptions = {},
): Promise<R[]> {
  const workers = Array.from({ length: n }, (_, i) => startWorker(url, workerData(i)));
  const results = Promise.all(workers.map((w) => firstMessage<R>(w)));
  const side = options.alongside?.() ?? Promise.resolve();
  const [out] = await watchdog(
    Promise.all([results, side]),
    options.timeoutMs ?? 20_000,
    `${n} × ${url.pathname.split('/').pop()}`,
  );
  await Promise.all(workers.map((w) => w.terminate()));
  return out;
}

/** A reply from an agent fixture (`mutex-agent.mjs`): a value or a serialised error. */
export interface AgentReply {
  readonly value?: unknown;
  readonly error?: { readonly name: string; readonly code?: string; readonly message: string };
}

/** A worker that executes one command per message and replies to each (see test/fixtures/mutex-agent.mjs). */
export interface Agent {
  readonly worker: Worker;
  call(op: string, args?: Record<string, unknown>): Promise<AgentReply>;
}

/** Starts a command-driven agent fixture. */
export function startAgent(url: URL, workerData: unknown): Agent {
  const worker = startWorker(url, workerData);
  let next = 0;
  const pending = new Map<number, (r: AgentReply) => void>();
  worker.on('message', (msg: AgentReply & { id: number }) => {
    pending.get(msg.id)?.(msg);
    pending.delete(msg.id);
  });
  const died = new Promise<never>((_, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`agent exited with code ${code}`)));
  });
  died.catch(() => {});
  return {
    worker,
    call(op, args = {}) {
      const id = next++;
      const reply = new Promise<AgentReply>((resolve) => pending.set(id, resolve));
      worker.postMessage({ id, op, ...args });
      return watchdog(Promise.race([reply, died]), 10_000, `agent op ${op}`);
    },
  };
}

/** Milliseconds since `t0` (a `performance.now()` reading). */
export const since = (t0: number): number => performance.now() - t0;

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Bound for "a dead owner's lock is recovered within 100 ms" (issue 8's target). The stress run asserts
 * the target itself for every recovery. The default run shares 2 cores with other test files running in
 * parallel (and CI machines with other jobs), where scheduling delay alone has made single recoveries
 * take 250-850 ms (the fastest of a file up to 250 ms) for a 25 ms owner check: it asserts this bound
 * only for the fastest recovery of each file (`recoveryLog` in dead-threads.ts), so that recoveries
 * slow every time (found by some fallback, not the owner check) still fail, and each one only within
 * {@link RECOVERY_LIMIT_MS}.
 */
export const RECOVERY_BOUND_MS = STRESS ? 100 : 500;

/**
 * Bound for each single recovery: the target in the stress run; in the default run, generous enough for
 * a loaded machine while far below the 5 s watchdogs, so that a recovery that only comes from some slow
 * fallback still fails here.
 */
export const RECOVERY_LIMIT_MS = STRESS ? RECOVERY_BOUND_MS : 2_000;
