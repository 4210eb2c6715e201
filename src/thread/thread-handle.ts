// The creator's side of a started Thread's worker: the status word the two share, the port the
// target's outcome arrives on, and how the worker ended. What those mean for the thread (its outcome,
// join, terminate) is decided by Thread (thread.ts); launching the worker itself is thread-launch.ts.
import {
  MessageChannel,
  receiveMessageOnPort,
  type MessagePort,
  type TransferListItem,
  type Worker,
} from '../internal/worker-host.js';
import { markThreadDead } from '../internal/dead-threads.js';
import { processShared } from './process-shared.js';
import { now, unrefTimer } from '../internal/runtime.js';
import { waitSync } from '../internal/wait.js';
import { ThreadExitError, TimeoutError } from '../errors.js';
import type { InheritedLocals } from '../threadlocal/inherit.js';
import type { ResourceLimits } from './options.js';
import {
  EXIT_CODE,
  RUNNING,
  SETTLED,
  STATE,
  STATUS_SLOTS,
  type ThreadResult,
  type ThreadWorkerData,
} from './protocol.js';
import type { TargetDef } from './target.js';
import { launchThreadWorker } from './thread-launch.js';

/** What a thread's worker is started with. */
export interface ThreadLaunch {
  readonly name: string;
  readonly target: TargetDef;
  /** Encoded by the codec. */
  readonly args: unknown;
  /** Whether encoding tagged something in the args (a primitive, an error): the codec then revives it. */
  readonly tagged: boolean;
  readonly inherited: InheritedLocals | undefined;
  readonly transfer: readonly TransferListItem[];
  readonly resourceLimits: ResourceLimits | undefined;
  readonly daemon: boolean;
}

/** What a thread's worker reports to its Thread. */
export interface ThreadEvents {
  /** The target settled: the outcome it posted. */
  onResult(msg: ThreadResult): void;
  /** The worker stopped, with `code`. */
  onExit(code: number): void;
}

/**
 * The longest a settled thread's worker keeps the process alive while it exits. It exits right after
 * its target settles (the bootstrap calls `process.exit`), so this only caps a worker that does not.
 */
const EXIT_GRACE_MS = 500;

/** The exit code of every terminated thread (see {@link ThreadHandle.exitError}). */
const TERMINATED_EXIT_CODE = 1;

/** One started thread's worker, from its creator's side. */
export class ThreadHandle {
  /** `STATE` and `EXIT_CODE`, shared with the worker (see protocol.ts). */
  readonly #status = new Int32Array(new SharedArrayBuffer(STATUS_SLOTS * 4));
  #worker: Worker | undefined;
  #port: MessagePort | undefined;
  #threadId = -1;
  /** What killed the worker (an uncaught error, running out of memory), if something did. */
  #runtimeError: unknown;
  /** Unrefs the worker of a settled thread that has not exited in time (see {@link close}). */
  #exitGrace: ReturnType<typeof setTimeout> | undefined;
  #exited = false;

  /** The runtime's id of the worker once launched (`-1` before). */
  get threadId(): number {
    return this.#threadId;
  }

  /** `STATE`: `RUNNING`, then `SETTLED` or `EXITED`, as the worker stored it. */
  get state(): number {
    return Atomics.load(this.#status, STATE);
  }

  /** The worker's exit code, once `state` is `EXITED`. */
  get exitCode(): number {
    return Atomics.load(this.#status, EXIT_CODE);
  }

  /**
   * Starts the worker; `events` hears from it from then on. A daemon's worker is unref'd, and the
   * port always is: only a non-daemon worker itself keeps the process alive.
   *
   * @throws what launching throws (`DataCloneError` for an argument that cannot be cloned); then
   *   nothing runs
   */
  launch(config: ThreadLaunch, events: ThreadEvents): void {
    const { port1, port2 } = new MessageChannel();
    const workerData: ThreadWorkerData = {
      mode: 'thread',
      name: config.name,
      target: config.target,
      args: config.args,
      inherited: config.inherited,
      status: this.#status.buffer,
      port: port2,
      ...processShared(),
    };
    let worker: Worker;
    try {
      worker = launchThreadWorker(
        config.target,
        workerData,
        config.transfer,
        config.resourceLimits,
        config.tagged,
      );
    } catch (err) {
      port1.close();
      port2.close();
      throw err;
    }
    this.#worker = worker;
    this.#port = port1;
    this.#threadId = worker.threadId;
    if (config.daemon) worker.unref();
    port1.on('message', (msg: ThreadResult) => events.onResult(msg));
    port1.unref();
    worker.on('error', (err) => (this.#runtimeError ??= err));
    worker.on('exit', (code) => {
      this.#exited = true;
      clearTimeout(this.#exitGrace);
      markThreadDead(this.#threadId); // locks it held can be taken over
      events.onExit(code);
    });
  }

  /**
   * Blocks (`Atomics.wait`) while the worker runs its target, for at most `limitMs`.
   *
   * @throws TimeoutError naming thread `name` if `limitMs` passed
   */
  waitSync(limitMs: number, name: string): void {
    const deadline = now() + limitMs;
    // The worker stores SETTLED/EXITED and then notifies; waiting on RUNNING cannot miss that.
    while (this.state === RUNNING) {
      const left = deadline - now();
      if (left <= 0) throw new TimeoutError(`${name} did not finish within ${limitMs} ms`);
      waitSync(this.#status, STATE, RUNNING, left, 'Thread.joinSync()');
    }
  }

  /** Takes the outcome message still queued on the port, if there is one. */
  takeResult(): ThreadResult | undefined {
    const msg = this.#port && receiveMessageOnPort(this.#port);
    return msg === undefined ? undefined : (msg.message as ThreadResult);
  }

  /**
   * What killed the worker after its target settled (a timer or a rejection the target left behind),
   * if something did: no join() can carry it. Given once (then `undefined`).
   */
  takeLateError(): unknown {
    if (this.state !== SETTLED) return undefined;
    const error = this.#runtimeError;
    this.#runtimeError = undefined;
    return error;
  }

  /**
   * The error of thread `name`, whose worker exited with `code` before its target settled. A
   * terminated one always has exit code 1, as Node gives a running worker it terminates: one
   * terminated before it was online exits with 0, which would read as a clean exit.
   */
  exitError(name: string, code: number, terminated: boolean): ThreadExitError {
    const cause = this.#runtimeError;
    const why = terminated
      ? 'was terminated'
      : cause !== undefined
        ? `died: ${String((cause as Error)?.message ?? cause)}`
        : `exited with code ${code} before its target settled`;
    return new ThreadExitError(
      terminated ? TERMINATED_EXIT_CODE : code,
      `${name} ${why}`,
      cause === undefined ? undefined : { cause },
    );
  }

  /** Keeps the process alive while the worker runs (a pending join on a daemon thread). */
  ref(): void {
    this.#worker?.ref();
  }

  unref(): void {
    this.#worker?.unref();
  }

  /** Stops the worker; resolves once it has stopped (at once if it was never launched). */
  async terminate(): Promise<void> {
    await this.#worker?.terminate();
  }

  /**
   * The thread settled: the port is closed, and the worker stops keeping the process alive once it
   * has exited, which it does at once (or after {@link EXIT_GRACE_MS} at most). Not before: Node
   * relays what a thread prints through this thread's event loop, and delivers what is still on its
   * way when it sees the worker exit. Unref'd at once, the worker let a process whose main thread had
   * nothing left to do (after a `joinSync()`, say) exit first, and the thread's last output was lost.
   */
  close(): void {
    this.#port?.close();
    const worker = this.#worker;
    if (worker === undefined || this.#exited || this.#exitGrace !== undefined) return;
    this.#exitGrace = setTimeout(() => worker.unref(), EXIT_GRACE_MS);
    unrefTimer(this.#exitGrace);
  }
}
