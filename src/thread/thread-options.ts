// The options of Thread, and their check when a thread is created.
import type { TransferListItem } from '../internal/worker-host.js';
import { checkOptions, checkSignal, describe, type OptionKeys } from '../internal/validate.js';
import { checkResourceLimits, checkTransfer, type ArgsRequiredBy, type ResourceLimits } from './options.js';
import { targetDef, type Target, type TargetDef } from './target.js';

/**
 * Options of {@link Thread}, for a target taking the arguments `A`. `args` is required (in the types)
 * when `A` has required elements, so options typed ahead of time as `ThreadOptions<[string]>` fit
 * `new Thread((s: string) => ..., options)`.
 *
 * @typeParam A - the target's argument list
 * @interface
 * @example
 * ```ts
 * import { Thread, type ThreadOptions } from 'threadkit/thread';
 * const controller = new AbortController();
 * const options: ThreadOptions<[number, number]> = {
 *   args: [2, 3],
 *   name: 'adder',
 *   daemon: true,
 *   signal: controller.signal,
 * };
 * const t = new Thread((a: number, b: number) => a + b, options).start();
 * console.log(await t.join()); // 5
 * ```
 */
export type ThreadOptions<A extends unknown[] = unknown[]> = ThreadOptionFields<A> & ArgsRequiredBy<A>;

/** The fields of {@link ThreadOptions}. */
interface ThreadOptionFields<A extends unknown[]> {
  /**
   * Arguments for the target: structured-cloned; Mutex and SharedArrayBuffer arrive live; a Thread,
   * ThreadPool, ThreadLocal or lock guard, which belong to this thread, are refused (a
   * `DataCloneError` naming where it sits). A readonly array or tuple (`as const`) is accepted. Required (in the types) when the target function has
   * required parameters.
   *
   * @default []
   */
  readonly args?: Readonly<A> | undefined;
  /**
   * The thread's name, seen by `currentThread().name` inside it and in its error reports; not empty.
   * @default 'Thread-<n>'
   */
  readonly name?: string | undefined;
  /** For a module target: the export to call. @default 'default' */
  readonly export?: string | undefined;
  /**
   * Objects in `args` to transfer (move) instead of copy: what the runtime's `postMessage` can transfer,
   * such as ArrayBuffers and MessagePorts (typed `object`: these typings need no Node or DOM types).
   */
  readonly transfer?: readonly object[] | undefined;
  /** The worker's resource limits (see Node's `Worker` `resourceLimits`); exceeding them ends the thread. */
  readonly resourceLimits?: ResourceLimits | undefined;
  /** A daemon thread does not keep the process alive; a non-daemon one does while it runs. @default false */
  readonly daemon?: boolean | undefined;
  /** Aborting it terminates the thread; `join()` then rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
}

/** Every key of {@link ThreadOptions}: checkOptions refuses any other. */
const THREAD_KEYS: OptionKeys<ThreadOptions> = {
  args: true,
  daemon: true,
  export: true,
  name: true,
  resourceLimits: true,
  signal: true,
  transfer: true,
};

/** A thread's checked target and options (defaults that need a counter or a capture are left to Thread). */
export interface ThreadConfig<A extends unknown[]> {
  readonly target: TargetDef;
  readonly args: Readonly<A> | undefined;
  readonly name: string | undefined;
  readonly daemon: boolean | undefined;
  readonly transfer: readonly TransferListItem[];
  readonly resourceLimits: ResourceLimits | undefined;
  readonly signal: AbortSignal | undefined;
}

/**
 * Checks the target and options of `new Thread()`.
 *
 * @throws TypeError/RangeError for bad arguments, naming the parameter
 */
export function checkThreadOptions<A extends unknown[]>(
  target: Target,
  options: ThreadOptions<A> | undefined,
): ThreadConfig<A> {
  const opts = checkOptions<ThreadOptionFields<A>>(options, THREAD_KEYS, 'new Thread()');
  const def = targetDef(target, opts.export);
  if (opts.args !== undefined && !Array.isArray(opts.args)) {
    throw new TypeError(`Expected \`args\` to be an array, got ${describe(opts.args)}`);
  }
  if (opts.name !== undefined && typeof opts.name !== 'string') {
    throw new TypeError(`Expected \`name\` to be a string, got ${describe(opts.name)}`);
  }
  // Python takes any str, '' included; here a thread's name heads its error reports
  // ("Exception in thread <name>:"), where an empty one reads as a broken message.
  if (opts.name === '') throw new TypeError('Expected `name` to be a non-empty string, got ""');
  if (opts.daemon !== undefined && typeof opts.daemon !== 'boolean') {
    throw new TypeError(`Expected \`daemon\` to be a boolean, got ${describe(opts.daemon)}`);
  }
  return {
    target: def,
    args: opts.args,
    name: opts.name,
    daemon: opts.daemon,
    transfer: checkTransfer(opts.transfer),
    resourceLimits: checkResourceLimits(opts.resourceLimits),
    signal: checkSignal(opts.signal),
  };
}
