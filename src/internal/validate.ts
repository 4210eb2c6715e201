// Argument checks shared by every primitive. Messages follow "Expected `name` to be …, got …".
import { unknownOptionError } from './unknown-option.js';

/** Renders a value for an error message without throwing on exotic inputs. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (typeof value === 'undefined') return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  if (isPlainObject(value)) return 'an object';
  const name = value.constructor?.name;
  return name ? `an instance of ${name}` : 'an object';
}

/** Whether `value` is an object literal (or `Object.create(null)`): what an options bag usually is. */
export function isPlainObject(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * `; <usage>` when `value` is an options bag passed where a count or a timeout goes (`usage` says what
 * goes there instead), otherwise nothing. For messages only: it runs on the error path.
 */
export function misplacedOptions(value: unknown, usage: string | undefined): string {
  return usage !== undefined && isPlainObject(value) ? `; ${usage}` : '';
}

/** The longest delay a runtime timer supports (~24.8 days); Node fires longer ones after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Validates an optional timeout in milliseconds and returns it (`undefined` or `Infinity` for none).
 * A timeout longer than a timer can wait (~24.8 days) counts as none, so that it never fires early.
 *
 * @param usage - for the message when an options bag is passed instead, the right call:
 *   `'tryLock(100), or lockAsync({ timeoutMs: 100 })'`
 */
export function checkTimeout(value: unknown, name = 'timeoutMs', usage?: string): number {
  if (value === undefined) return Infinity;
  if (typeof value !== 'number') {
    const hint = usage === undefined ? '' : `the timeout is a number here, not an options object: ${usage}`;
    throw new TypeError(
      `Expected \`${name}\` to be a number of milliseconds, got ${describe(value)}${misplacedOptions(value, usage && hint)}`,
    );
  }
  if (Number.isNaN(value) || value < 0) {
    throw new RangeError(`Expected \`${name}\` to be a non-negative number of milliseconds, got ${value}`);
  }
  return value > MAX_TIMER_MS ? Infinity : value;
}

/** Validates an optional `AbortSignal`. */
export function checkSignal(value: unknown, name = 'signal'): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (typeof AbortSignal === 'undefined' || !(value instanceof AbortSignal)) {
    throw new TypeError(`Expected \`${name}\` to be an AbortSignal, got ${describe(value)}`);
  }
  return value;
}

/**
 * The keys of the options interface `T`, each mapped to `true`. Declare a call site's table with this
 * type and TypeScript rejects it when it misses a key of `T` or names one that `T` does not have:
 * `const KEYS: OptionKeys<LockAsyncOptions> = { signal: true, timeoutMs: true }`.
 */
export type OptionKeys<T extends object> = { readonly [K in keyof T]-?: true };

/** What an absent options bag reads as: shared, as nothing writes to it. */
const NO_OPTIONS: object = Object.freeze({});

/**
 * Validates an options bag: `undefined`, or a non-null object whose own enumerable string keys are all
 * in `known` (so a non-empty array is refused, as a bag of unknown keys `0`, `1`, ...). An unknown key throws even when its value is `undefined` (a typo is a typo). Symbol keys,
 * non-enumerable and inherited properties are not checked (reads still see inherited ones). Nested
 * objects such as `resourceLimits` are the caller's to check. Allocates nothing when the bag is valid.
 *
 * @param where - the API, for the message: `'Mutex.lockAsync()'`, `'new Mutex()'`
 * @throws TypeError naming the parameter, the unknown key and the known ones (with a "did you mean")
 */
export function checkOptions<T extends object>(
  value: unknown,
  known: OptionKeys<T>,
  where: string,
  name = 'options',
): Partial<T> {
  if (value === undefined) return NO_OPTIONS;
  if (value === null || typeof value !== 'object') {
    throw new TypeError(
      `Expected \`${name}\` to be an object, got ${describe(value)}${misplacedValue(value, known)}`,
    );
  }
  for (const key in value) {
    if (!Object.hasOwn(known, key) && Object.hasOwn(value, key)) {
      if (Array.isArray(value)) {
        throw new TypeError(
          `Expected \`${name}\` to be an object, got ${describe(value)}${misplacedValue(value, known)}`,
        );
      }
      throw unknownOptionError(key, Object.keys(known), name, where);
    }
  }
  return value;
}

/**
 * For the message of an options bag that is not an object (or is an array): where a value given in its place belongs,
 * when that is clear (`pool.run(fn, 1, 2)`, `lockAsync(100)`).
 */
function misplacedValue(value: unknown, known: object): string {
  if (Object.hasOwn(known, 'args')) return '; arguments for the function go in the options: { args: [...] }';
  if (typeof value !== 'number') return '';
  if (Object.hasOwn(known, 'timeoutMs')) return `; a timeout goes in the options: { timeoutMs: ${value} }`;
  if (Object.hasOwn(known, 'size')) return `; a size goes in the options: { size: ${value} }`;
  return '';
}

/**
 * Validates a (buffer, byteOffset) pair for a primitive of `bytes` bytes and returns an Int32Array view
 * over the whole buffer with the Int32 index of the primitive's first slot.
 */
export function checkSharedSlots(
  buffer: unknown,
  byteOffset: unknown,
  bytes: number,
  names: { buffer: string; byteOffset: string } = { buffer: 'buffer', byteOffset: 'byteOffset' },
): { i32: Int32Array; base: number; buffer: SharedArrayBuffer; byteOffset: number } {
  if (typeof SharedArrayBuffer === 'undefined' || !(buffer instanceof SharedArrayBuffer)) {
    throw new TypeError(
      `Expected \`${names.buffer}\` to be a SharedArrayBuffer, got ${describe(buffer)}` +
        (buffer instanceof ArrayBuffer ? ' (a plain ArrayBuffer cannot be shared between threads)' : ''),
    );
  }
  const offset = byteOffset ?? 0;
  if (typeof offset !== 'number' || !Number.isInteger(offset)) {
    throw new TypeError(`Expected \`${names.byteOffset}\` to be an integer, got ${describe(offset)}`);
  }
  if (offset % 4 !== 0) {
    throw new RangeError(`Expected \`${names.byteOffset}\` to be a multiple of 4, got ${offset}`);
  }
  if (offset >= 0 && buffer.byteLength < bytes) {
    // Too small for the primitive at any offset: the buffer is what is wrong.
    throw new RangeError(
      `Expected \`${names.buffer}\` to hold at least ${offset + bytes} bytes (${bytes} from \`${names.byteOffset}\` ${offset}), got a SharedArrayBuffer of ${buffer.byteLength} bytes`,
    );
  }
  if (offset < 0 || offset + bytes > buffer.byteLength) {
    throw new RangeError(
      `Expected \`${names.byteOffset}\` to leave room for ${bytes} bytes in a buffer of ${buffer.byteLength} bytes, got ${offset}`,
    );
  }
  return { i32: new Int32Array(buffer), base: offset >> 2, buffer, byteOffset: offset };
}

/**
 * Where a primitive of `bytes` bytes lives: the caller's `buffer` at `byteOffset`, validated, or a new
 * SharedArrayBuffer of its own when no buffer is given.
 */
export function placeSlots(
  opts: { readonly buffer?: unknown; readonly byteOffset?: unknown },
  bytes: number,
): ReturnType<typeof checkSharedSlots> {
  if (opts.buffer === undefined) {
    // Without a buffer the primitive gets its own: an offset into it would only be a mistake.
    if (opts.byteOffset !== undefined && opts.byteOffset !== 0) {
      throw new TypeError(
        `Expected \`buffer\` (a SharedArrayBuffer) with \`byteOffset\` ${describe(opts.byteOffset)}: an offset places the primitive in a buffer you pass`,
      );
    }
    return checkSharedSlots(new SharedArrayBuffer(bytes), 0, bytes);
  }
  return checkSharedSlots(opts.buffer, opts.byteOffset, bytes);
}

/** Whether the runtime's structured clone copies `value` (nothing transferred). Costly: for error paths. */
export function cloneable(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}
