// What a worker bootstrap runs (thread-worker.ts, standalone-worker.ts): a Thread's worker runs one
// target and reports its outcome; a pool worker runs batches of tasks one after another and sends
// their results back in batches.
import {
  exitSoon,
  onThreadExit,
  onWorkerData,
  parentPort,
  receiveMessage,
} from '../internal/worker-scope.js';
import { decode } from '../internal/codec.js';
import { markThreadDead } from '../internal/dead-threads.js';
import { threadId } from '../internal/runtime.js';
import { SpinHistory } from '../internal/spin-history.js';
import { notify } from '../internal/wait.js';
import { runIsolatedWith, type InheritedLocals } from '../threadlocal/inherit.js';
import { define, explainError, targetById, type TargetFn } from './compile.js';
import { setThreadName, taskStorage, type TaskState } from './current.js';
import { adoptProcessShared } from './process-shared.js';
import { encodeResult, resultCloneFailed } from './clone-failure.js';
import { reviveError, serializeError } from '../internal/error-codec.js';
import {
  CLAIMS,
  claimToken,
  DOORBELL,
  EXIT_CODE,
  POOL_SLOTS,
  EXITED,
  NO_CLAIM,
  PROGRESS,
  READY_AT,
  RESULT_STRIDE,
  SETTLED,
  STARTED_AT,
  STATE,
  TASK_STRIDE,
  wallClock,
  type PoolRequest,
  type PoolWorkerData,
  type ThreadResult,
  type ThreadWorkerData,
} from './protocol.js';

/** A batch running longer than this sends the results it has so far. */
const FLUSH_AFTER_MS = 4;
/** Results sent once this many are ready, so the pool refills this worker while it keeps running. */
const FLUSH_AFTER_RESULTS = 32;
/**
 * How long an idle pool worker blocks on its doorbell for the next task before going back to its
 * event loop: a task that arrives meanwhile starts without an event-loop round trip. Short, because
 * while blocked the worker's own timers and I/O (left by earlier tasks) wait too.
 */
const IDLE_WAIT_MS = 1;
/**
 * Before blocking, an idle pool worker polls its doorbell this long: a caller that awaits each result
 * and submits the next task does so within a few µs, and a sleeping thread takes far longer than that
 * to wake (tens of µs on an idle machine). Bounded, so a quiet pool costs next to no CPU.
 */
const IDLE_SPIN_MS = 0.05;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

async function runTarget(
  fnOrPromise: TargetFn | Promise<TargetFn>,
  args: unknown,
  inherited: InheritedLocals | undefined,
) {
  const fn = isThenable(fnOrPromise) ? await fnOrPromise : fnOrPromise;
  const argv = decode(args) as unknown[];
  return runIsolatedWith(inherited, () => fn(...argv));
}

function runThread(data: ThreadWorkerData): void {
  setThreadName(data.name);
  const status = new Int32Array(data.status);
  let settled = false;
  const report = (ok: boolean, value: unknown) => {
    // Encoding walks the result, and a getter in it may throw: that error is the thread's outcome too.
    let out: unknown;
    try {
      out = ok ? encodeResult(value) : serializeError(explainError(value));
    } catch (err) {
      [ok, out] = [false, serializeError(err)];
    }
    try {
      data.port.postMessage([ok, out] satisfies ThreadResult);
    } catch (err) {
      data.port.postMessage([
        false,
        serializeError(ok ? resultCloneFailed(err, out) : err),
      ] satisfies ThreadResult);
    }
    settled = true;
    // Store before notify: a joiner that wakes (or has not started waiting) sees SETTLED.
    Atomics.store(status, STATE, SETTLED);
    notify(status, STATE, Infinity);
    // The thread ends when its target settles, as in Python; leftover timers do not keep it alive.
    exitSoon(0);
  };
  onThreadExit((code) => {
    if (settled) return;
    Atomics.store(status, EXIT_CODE, code);
    Atomics.store(status, STATE, EXITED);
    notify(status, STATE, Infinity);
  });
  define(data.target);
  let fn: TargetFn | Promise<TargetFn>;
  try {
    fn = targetById(data.target.id);
  } catch (err) {
    report(false, err);
    return;
  }
  runTarget(fn, data.args, data.inherited).then(
    (value) => report(true, value),
    (err: unknown) => report(false, err),
  );
}

function runPool(data: PoolWorkerData): void {
  setThreadName(data.name);
  const port = parentPort;
  const progress = new Int32Array(data.progress, 0, POOL_SLOTS);
  const startedAt = new Float64Array(data.progress);
  const storage = taskStorage();
  // Running out of memory kills the worker with no chance to run code (onThreadExit below does not
  // run): results held back for the next batch would be lost with it.
  const reportEach = data.reportEach;
  const queue: unknown[] = [];
  let head = 0;
  let results: unknown[] = [];
  let current: TaskState | undefined;
  let pumping = false;
  let lastFlush = 0;

  const flush = () => {
    if (results.length === 0) return;
    const out = results;
    results = [];
    lastFlush = performance.now();
    try {
      port.postMessage(out);
    } catch {
      // One result cannot be cloned: send them one by one, turning the bad ones into errors.
      for (let i = 0; i < out.length; i += RESULT_STRIDE) {
        const one = out.slice(i, i + RESULT_STRIDE);
        try {
          port.postMessage(one);
        } catch (err) {
          port.postMessage([one[0], 0, serializeError(one[1] === 1 ? resultCloneFailed(err, one[2]) : err)]);
        }
      }
    }
  };
  // process.exit() or an uncaught error inside a task: hand over what finished before dying.
  onThreadExit(flush);

  const pump = async () => {
    pumping = true;
    lastFlush = performance.now();
    do {
      while (head < queue.length) {
        let id = queue[head] as number;
        const targetId = queue[head + 1] as number;
        const args = queue[head + 2];
        const inherited = queue[head + 3] as InheritedLocals | undefined;
        const claim = queue[head + 4] as number;
        head += TASK_STRIDE;
        if (head === queue.length) {
          queue.length = 0;
          head = 0;
        }
        const timed = id < 0; // sent negated: its time limit counts from its start
        if (timed) id = -id;
        // Claim it before starting it; if the pool took it back for another worker first, skip it
        // (see "Claims" in protocol.ts: exactly one of the two swaps the token for 0).
        if (claim !== NO_CLAIM) {
          const token = claimToken(id);
          if (Atomics.compareExchange(progress, CLAIMS + claim, token, 0) !== token) continue;
        }
        // The pool reads this once it sees the id in PROGRESS.
        if (timed) startedAt[STARTED_AT] = wallClock();
        Atomics.store(progress, PROGRESS, id);
        const state: TaskState = { id, controller: undefined };
        current = state;
        try {
          let fn = targetById(targetId);
          if (isThenable(fn)) fn = await fn;
          const argv = decode(args) as unknown[];
          const f = fn;
          let value = storage.run(state, () => runIsolatedWith(inherited, () => f(...argv)));
          if (isThenable(value)) value = await value;
          results.push(id, 1, encodeResult(value));
        } catch (err) {
          results.push(id, 0, serializeError(explainError(err)));
        }
        current = undefined;
        if (
          reportEach ||
          results.length >= FLUSH_AFTER_RESULTS * RESULT_STRIDE ||
          performance.now() - lastFlush > FLUSH_AFTER_MS
        ) {
          flush();
        }
      }
      Atomics.store(progress, PROGRESS, 0);
      flush();
    } while (awaitNextTask());
    pumping = false;
  };

  /** Blocks up to IDLE_WAIT_MS for the next message, handling it at once; whether tasks arrived. */
  // Polls that keep catching nothing switch polling off for a while (then one poll probes again):
  // either the pool is simply idle, or the cores are oversubscribed and the poll only delays the
  // caller it waits for, by taking the core the caller needs to submit.
  const spins = new SpinHistory();

  const awaitNextTask = (): boolean => {
    // Where a message cannot be taken synchronously (Web Workers), the event loop delivers it.
    if (receiveMessage === undefined) return false;
    const deadline = performance.now() + IDLE_WAIT_MS;
    let first = true;
    for (;;) {
      const seen = Atomics.load(progress, DOORBELL);
      const msg = receiveMessage();
      if (msg !== undefined) {
        handle(msg.message as PoolRequest);
        if (head < queue.length) return true;
        continue;
      }
      if (first && spins.shouldSpin()) {
        const rung = spinUntilRung(seen);
        spins.record(rung);
        if (rung) continue;
      }
      first = false;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      // The pool posts, then bumps DOORBELL and notifies: if it posted after our receive, DOORBELL
      // is no longer `seen` and the wait returns at once; otherwise the notify wakes us.
      Atomics.wait(progress, DOORBELL, seen, left);
    }
  };

  /** Polls DOORBELL for up to IDLE_SPIN_MS; whether it moved on from `seen`. */
  const spinUntilRung = (seen: number): boolean => {
    const until = performance.now() + IDLE_SPIN_MS;
    do {
      for (let i = 0; i < 64; i++) if (Atomics.load(progress, DOORBELL) !== seen) return true;
    } while (performance.now() < until);
    return false;
  };

  const handle = (msg: PoolRequest) => {
    if ('cancel' in msg) {
      if (current?.id === msg.cancel) {
        const reason = reviveError(msg.reason);
        current.abortedWith = { reason };
        current.controller?.abort(reason);
      }
      return;
    }
    if (msg.defs) for (const def of msg.defs) define(def);
    for (const item of msg.tasks) queue.push(item);
    if (!pumping) void pump();
  };

  port.on('message', handle);
  // Up: a timed task's wait to start counts from here (see READY_AT), not from the 'online' event.
  startedAt[READY_AT] = wallClock();
}

/** Runs what the creator started this worker for (its workerData says: a Thread's target, or a pool). */
export function runWorker(): void {
  onWorkerData((received) => {
    const data = received as ThreadWorkerData | PoolWorkerData;
    adoptProcessShared(data);
    // Dying on its own (process.exit(), an uncaught error, the end): mark itself, so that a lock it
    // holds is taken over even while the thread that created it is blocked and cannot see the 'exit'
    // event.
    onThreadExit(() => markThreadDead(threadId));
    if (data.mode === 'thread') runThread(data);
    else runPool(data);
  });
}
