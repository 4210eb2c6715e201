// Creating a queue's SharedArrayBuffer from its options, and checking one that arrives in a handle.
// The queue owns its whole buffer (no caller-supplied buffer/byteOffset): its size depends on
// `capacity` and `maxBytes`, and a handle is just `{ buffer }`.
import { claimTagged, openTagged } from '../internal/tagged.js';
import { checkOptions, type OptionKeys } from '../internal/validate.js';
import { checkCount } from '../internal/validate-count.js';
import { CAPACITY, DATA_BYTES, HEADER_SLOTS, QUEUE_TAG, TAG, bytesFor } from './raw-queue.js';

/** The largest `capacity` (the length ring takes 4 bytes per item). */
const MAX_CAPACITY = 2 ** 24;
/** The largest `maxBytes` (offsets are Int32). */
const MAX_DATA_BYTES = 2 ** 30;
/** Default data area: `capacity` × this many bytes, clamped to [DEFAULT_MIN_BYTES, DEFAULT_MAX_BYTES]. */
const DEFAULT_BYTES_PER_ITEM = 1024;
const DEFAULT_MIN_BYTES = 64 * 1024;
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Options of {@link Queue}'s constructor.
 *
 * @example
 * ```ts
 * import { Queue } from 'threadkit/queue';
 * // up to 100 values, and at most 1 MiB of them serialized
 * const chunks = new Queue<Uint8Array>(100, { maxBytes: 1024 * 1024 });
 * console.log(chunks.capacity, chunks.maxBytes); // 100 1048576
 * ```
 */
export interface QueueOptions {
  /**
   * Size in bytes of the data area that holds the serialized values waiting in the queue. A put waits
   * while the values already queued leave too little room for its value, and a single value larger
   * than `maxBytes` is refused with a `RangeError`. Size it for the largest value, times how many of
   * them may wait at once. The queue's `SharedArrayBuffer` is about `maxBytes + 4 × capacity + 64` bytes.
   * @default capacity × 1 KiB, at least 64 KiB, at most 64 MiB
   */
  readonly maxBytes?: number | undefined;
}

/** Every key of {@link QueueOptions}: checkOptions refuses any other. */
const QUEUE_KEYS: OptionKeys<QueueOptions> = { maxBytes: true };

/** Validates the constructor's arguments and returns a new, initialised queue buffer. */
export function createQueueBuffer(capacity: unknown, options: unknown): SharedArrayBuffer {
  if (capacity === undefined) {
    throw new TypeError(`Expected \`capacity\` to be an integer from 1 to ${MAX_CAPACITY}, got undefined`);
  }
  const items = checkCount(
    capacity,
    'capacity',
    1,
    1,
    MAX_CAPACITY,
    'the options go second: new Queue(capacity, { maxBytes })',
  );
  const opts = checkOptions<QueueOptions>(options, QUEUE_KEYS, 'new Queue()');
  const fallback = Math.min(Math.max(items * DEFAULT_BYTES_PER_ITEM, DEFAULT_MIN_BYTES), DEFAULT_MAX_BYTES);
  const dataBytes = checkCount(opts.maxBytes, 'maxBytes', fallback, 1, MAX_DATA_BYTES);
  const buffer = new SharedArrayBuffer(bytesFor(items, dataBytes));
  const i32 = new Int32Array(buffer, 0, HEADER_SLOTS);
  claimTagged({ i32, base: 0, buffer, byteOffset: 0 }, TAG, QUEUE_TAG, 'Queue', () => {
    Atomics.store(i32, CAPACITY, items);
    Atomics.store(i32, DATA_BYTES, dataBytes);
  });
  return buffer;
}

/**
 * Returns the buffer of a cloned queue (`{ buffer }`).
 *
 * @throws TypeError naming `handle` when it is not the clone of a queue
 */
export function openQueueBuffer(handle: unknown): SharedArrayBuffer {
  const { i32, buffer, byteOffset } = openTagged(handle, HEADER_SLOTS * 4, TAG, QUEUE_TAG, 'Queue');
  const expected = bytesFor(Atomics.load(i32, CAPACITY), Atomics.load(i32, DATA_BYTES));
  if (byteOffset !== 0 || buffer.byteLength !== expected) {
    throw new TypeError('Expected `handle` to be a cloned Queue, but its buffer does not match its header');
  }
  return buffer;
}
