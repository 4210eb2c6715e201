// Checks of options shared by Thread and ThreadPool.
// Public option types are declared here rather than taken from node:worker_threads, so threadkit's
// typings need no @types/node (which TypeScript 7 no longer includes on its own, and browsers lack).
import type { TransferListItem } from '../internal/worker-host.js';
import { describe } from '../internal/validate.js';

/**
 * A worker's resource limits: the `resourceLimits` of Node's `Worker` (node:worker_threads), with
 * the same fields. Runtimes without them (Bun, Deno, browsers) ignore them.
 *
 * @example
 * ```ts
 * import { ThreadPool, type ResourceLimits } from 'threadkit/thread';
 * const limits: ResourceLimits = { maxOldGenerationSizeMb: 256, stackSizeMb: 4 };
 * await using pool = new ThreadPool({ size: 2, resourceLimits: limits });
 * console.log(await pool.run(() => 'fits'));
 * ```
 */
export interface ResourceLimits {
  /**
   * Maximum size of the main heap, in MB; at least 4 (a `RangeError` otherwise): Node 22 and later
   * crash the whole process when a worker's heap is too small for it to start.
   */
  maxOldGenerationSizeMb?: number | undefined;
  /** Maximum size of the heap space for recently created objects, in MB. */
  maxYoungGenerationSizeMb?: number | undefined;
  /** Size of a pre-allocated memory range used for generated code, in MB. */
  codeRangeSizeMb?: number | undefined;
  /**
   * Default maximum stack size of the thread, in MB; at least 0.5 (a `RangeError` otherwise): Node
   * crashes the whole process when a worker's stack is too small for it to start. @default 4
   */
  stackSizeMb?: number | undefined;
}

/**
 * The smallest `resourceLimits.stackSizeMb` accepted. Below about 0.24 MB, starting the worker crashes
 * the whole process (Node 20: abort, 22 and 24: segmentation fault, 26: the process exits with code 7;
 * measured on linux-x64, with a bare `Worker` too), and up to about 0.25 MB the worker cannot start; this is
 * twice that, for platforms and versions whose start needs more stack.
 */
export const MIN_STACK_SIZE_MB = 0.5;

/**
 * The smallest `resourceLimits.maxOldGenerationSizeMb` accepted. At 2 MB or less, Node 22 and later
 * abort the whole process when the worker starts ("Fatal JavaScript out of memory: GC during
 * deserialization"; Node 20 fails the worker alone); at 3–4 MB the worker fails to start with
 * ERR_WORKER_OUT_OF_MEMORY on every version (measured on linux-x64, with a bare `Worker` too).
 */
export const MIN_OLD_GENERATION_MB = 4;

/** The limits with a floor below which Node crashes, and the floor's reason. */
const MINIMUMS: Readonly<Record<string, readonly [number, string]>> = {
  stackSizeMb: [MIN_STACK_SIZE_MB, 'a smaller stack crashes Node'],
  maxOldGenerationSizeMb: [MIN_OLD_GENERATION_MB, 'a smaller heap crashes Node 22 and later'],
};

const LIMIT_KEYS = ['maxYoungGenerationSizeMb', 'maxOldGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb'];

/** Validates `resourceLimits`: an object of positive numbers under Node's keys, and limits Node survives. */
export function checkResourceLimits(value: unknown): ResourceLimits | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object') {
    throw new TypeError(`Expected \`resourceLimits\` to be an object, got ${describe(value)}`);
  }
  for (const [key, limit] of Object.entries(value)) {
    if (!LIMIT_KEYS.includes(key)) {
      throw new TypeError(
        `Expected \`resourceLimits\` to have only ${LIMIT_KEYS.join(', ')}, got \`${key}\``,
      );
    }
    if (limit !== undefined && typeof limit !== 'number') {
      throw new TypeError(`Expected \`resourceLimits.${key}\` to be a number (MB), got ${describe(limit)}`);
    }
    if (limit !== undefined && !(limit > 0)) {
      throw new RangeError(
        `Expected \`resourceLimits.${key}\` to be a positive number, got ${describe(limit)}`,
      );
    }
    const floor = MINIMUMS[key];
    if (floor && (limit as number) < floor[0]) {
      throw new RangeError(
        `Expected \`resourceLimits.${key}\` to be at least ${floor[0]} (MB; ${floor[1]}), got ${limit as number}`,
      );
    }
  }
  return value;
}

/**
 * `args` made required where the target's argument list `A` has required elements (the types only):
 * nothing for `[]`, `[n?: number]` or `number[]`, `{ readonly args: Readonly<A> }` for `[n: number]`.
 * Options typed ahead of time (`const o: RunOptions<[string]> = { args: ['x'] }`) then fit the call.
 */
export type ArgsRequiredBy<A extends unknown[]> = [] extends A ? unknown : { readonly args: Readonly<A> };

/** The transfer list of a task that transfers nothing (shared: transfer lists are only read). */
export const NO_TRANSFER: readonly TransferListItem[] = [];

/** Validates `transfer`: an array (of transferables; the runtime checks each when posting). */
export function checkTransfer(value: unknown): readonly TransferListItem[] {
  if (value === undefined) return NO_TRANSFER;
  if (!Array.isArray(value))
    throw new TypeError(`Expected \`transfer\` to be an array, got ${describe(value)}`);
  value.forEach((item: unknown, i) => {
    // The common non-transferables; the runtime rejects the rest when posting (the task then fails
    // with a TypeError that names `transfer` too, see transferFailed).
    if (ArrayBuffer.isView(item)) {
      throw new TypeError(
        `Expected \`transfer[${i}]\` to be a transferable object, got ${describe(item)}: transfer its \`.buffer\` (an ArrayBuffer) instead`,
      );
    }
    if (!looksTransferable(item)) {
      throw new TypeError(
        `Expected \`transfer[${i}]\` to be a transferable object (ArrayBuffer, MessagePort, ...), got ${describe(item)}`,
      );
    }
  });
  return value as TransferListItem[];
}

/** False for values that are certainly not transferable: primitives, plain objects and built-in data. */
function looksTransferable(item: unknown): boolean {
  if (item === null || typeof item !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(item);
  if (proto === Object.prototype || proto === null) return false;
  return !(
    item instanceof SharedArrayBuffer ||
    Array.isArray(item) ||
    item instanceof Date ||
    item instanceof RegExp ||
    item instanceof Map ||
    item instanceof Set ||
    item instanceof Error ||
    item instanceof Promise ||
    item instanceof WeakMap ||
    item instanceof WeakSet
  );
}

/**
 * What a post that the runtime refused for its transfer list rejects with: a TypeError naming
 * `transfer`, like the checks above (other failures, such as an uncloneable argument's DataCloneError,
 * pass unchanged).
 */
export function transferFailed(err: unknown): unknown {
  // Node 20 throws a TypeError ('Found invalid object in transferList'), later Nodes a DataCloneError.
  if (!(err instanceof Error) || !/transfer ?list/i.test(err.message)) return err;
  return new TypeError(
    `The task could not be posted with its \`transfer\` list (ArrayBuffer, MessagePort, ... that the arguments hold): ${err.message}`,
    { cause: err },
  );
}

/** Validates an optional positive integer option. */
export function checkCount(value: unknown, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number')
    throw new TypeError(`Expected \`${name}\` to be a number, got ${describe(value)}`);
  if (value !== Infinity && (!Number.isInteger(value) || value < min)) {
    throw new RangeError(`Expected \`${name}\` to be an integer >= ${min}, got ${value}`);
  }
  return value;
}
