/*
 * The queue algorithm on raw shared memory, kept apart from the public `Queue` class, which only
 * (de)serializes values and waits. One SharedArrayBuffer holds a header of Int32 slots, a ring of
 * item lengths (one Int32 per item of capacity) and a ring of bytes (the data area) holding the
 * serialized items back to back; an item that reaches the end of the data area continues at its start,
 * so free space never fragments.
 *
 * Algorithm: every change of the rings happens under a small internal lock (Drepper's futex mutex,
 * "mutex2": 0 free, 1 held, 2 held with sleepers; spinning first). Critical sections are a few loads
 * and stores plus one copy of the item's bytes, and never call user code or await, so the lock is
 * never held across an await and no thread can re-enter it. Waiting for an item or for space happens
 * outside the lock, on two sequence counters: every put bumps PUT_SEQ (getters sleep on it), every get
 * bumps GET_SEQ (putters sleep on it); a waiter reads the counter under the lock in the same critical
 * section that found the queue empty (or full), then sleeps on the value it read.
 *
 * Fairness: values leave in the order their puts took the lock (FIFO). Waiters are not FIFO: a thread
 * arriving while others wait may take an item (or space) first, as in Python's queue.Queue.
 *
 * Slots (header):
 *   LOCK        the internal lock word: FREE, HELD or CONTENDED.
 *   TAG         QUEUE_TAG: identifies the memory as a queue for `Queue.from`.
 *   CAPACITY    maximum number of items. Written once, before TAG is published.
 *   DATA_BYTES  size of the data area. Written once, before TAG is published.
 *   HEAD        length-ring index of the oldest item.
 *   COUNT       items in the queue, 0 ..= CAPACITY.
 *   DATA_HEAD   data-area offset of the oldest item's first byte.
 *   DATA_USED   bytes the queued items occupy, 0 ..= DATA_BYTES.
 *   CLOSED      1 once close() was called (never reset).
 *   PUT_SEQ     bumped by every put and by close(); only its changes matter (wraps).
 *   GET_SEQ     bumped by every get and by close().
 *   GETTERS     getters registered to wait (asleep, or about to sleep / re-check).
 *   PUTTERS     putters registered to wait.
 * HEAD, COUNT, DATA_HEAD, DATA_USED and CLOSED change only under LOCK; COUNT is also read without it
 * (`size`, passOnGet), which is why every access is atomic.
 *
 * Invariants (why no wake-up is lost):
 *   I1. A waiter registers (GETTERS/PUTTERS += 1) before its check, and reads the sequence counter in
 *       the check's critical section. A put (get) bumps PUT_SEQ (GET_SEQ) inside its critical section
 *       and loads GETTERS (PUTTERS) after unlocking. So either the waiter's check ran after the change
 *       (and saw the item or space), or the change bumped the counter after the waiter read it (its
 *       Atomics.wait returns 'not-equal' or is woken), and the changer sees the registration.
 *   I2. Putters need different amounts of space, so a get wakes all sleeping putters (one woken putter
 *       may not fit while another would). A put wakes one sleeping getter: any getter can take any item.
 *   I3. A getter that leaves without an item (timeout, abort) calls passOnGet: if items remain and
 *       getters wait, one more is woken, so the wake meant for an item always reaches someone who takes
 *       it.
 *   I4. close() bumps both counters and wakes everyone; nothing is put after CLOSED is set.
 *   I5. A spinner (below) is not registered, so nobody notifies it; it only polls. When its spin ends
 *       without success it goes through the usual register-then-check-then-wait (I1), so the spin
 *       adds no way to miss a wake-up, and a put that a spinner catches costs the putter no notify.
 *   I6. An aborted async wait stays in its counter's waiter list (until notified or timed out), where a
 *       put's notify(1) would wake it instead of a live getter. The aborting waiter evicts it at once
 *       (`evict`: wake every sleeper on that counter, without moving it), so a notify it absorbed before
 *       the eviction reached everyone (each re-checks, I1, and sleeps again) and none can be absorbed
 *       after it. Passing the absorbed wake-up on later, from the abandoned wait's callback, is not
 *       enough: the callback runs on the aborting thread's event loop, which may be blocked by then, for
 *       example in get() behind its own abandoned entry, the very getter the notify was for. Putters
 *       evict theirs too, although every get wakes them all (I2): so that aborted waits do not pile up
 *       in the list while no get comes.
 *
 * Spinning (blocking get/put only): a parked getter runs again only after a futex wake-up, tens of µs
 * after the put (and the putter pays a notify system call), while a producer and a consumer that each
 * have a core hand items over within a few µs. So get() and put() first poll PUT_SEQ (GET_SEQ) for up
 * to WAIT_SPIN_LIMIT loads (about one wake-up: the ski-rental bound, as in raw-barrier.ts) without
 * taking the lock, and re-check under it as soon as it moved. Whether to spin at all is
 * queue.ts's policy: only with more than one core, and only while this thread's recent spins caught
 * what they waited for (internal/spin-history.ts). Async gets and puts never spin (the event loop).
 */
import { canBlock } from '../internal/runtime.js';
import { notify, waitSync } from '../internal/wait.js';

/** Header slot indices, relative to the queue's base index (0: the queue owns its buffer). */
export const LOCK = 0;
export const TAG = 1;
export const CAPACITY = 2;
export const DATA_BYTES = 3;
export const HEAD = 4;
export const COUNT = 5;
export const DATA_HEAD = 6;
export const DATA_USED = 7;
export const CLOSED = 8;
export const PUT_SEQ = 9;
export const GET_SEQ = 10;
export const GETTERS = 11;
export const PUTTERS = 12;
/** Int32 slots of the header (rounded up to a cache line); the length ring follows. */
export const HEADER_SLOTS = 16;

/** TAG: marks memory initialised as a threadkit queue ("Que" in the high bytes). */
export const QUEUE_TAG = 0x51756500;

/** LOCK states. */
const FREE = 0;
const HELD = 1;
const CONTENDED = 2;
/** Loads of LOCK a thread spins for before sleeping: critical sections are a copy, usually < 1 µs. */
export const SPIN_LIMIT = 100;

/**
 * Bytes of the whole buffer for a queue of `capacity` items and `dataBytes` bytes of data area
 * (rounded up to whole Int32s, so the buffer can be viewed as an Int32Array).
 */
export const bytesFor = (capacity: number, dataBytes: number): number =>
  (HEADER_SLOTS + capacity + Math.ceil(dataBytes / 4)) * 4;

/** A queue's memory: the header and length ring (`i32`) and the data area (`data`). */
export interface QueueMemory {
  readonly i32: Int32Array;
  readonly data: Uint8Array;
  readonly capacity: number;
}

/** Views on a queue's buffer, once CAPACITY and DATA_BYTES are written. */
export function memoryOf(buffer: SharedArrayBuffer): QueueMemory {
  const i32 = new Int32Array(buffer);
  const capacity = Atomics.load(i32, CAPACITY);
  const dataBytes = Atomics.load(i32, DATA_BYTES);
  return { i32, data: new Uint8Array(buffer, (HEADER_SLOTS + capacity) * 4, dataBytes), capacity };
}

function lock(i32: Int32Array): void {
  if (Atomics.compareExchange(i32, LOCK, FREE, HELD) !== FREE) lockSlow(i32);
}

function lockSlow(i32: Int32Array): void {
  for (let i = 0; i < SPIN_LIMIT; i++) {
    if (Atomics.load(i32, LOCK) === FREE && Atomics.compareExchange(i32, LOCK, FREE, HELD) === FREE) return;
  }
  // A thread that may not block (a browser main thread) keeps spinning: the holder is running a
  // bounded critical section, never waiting.
  const block = canBlock();
  // Taking the lock from here marks it CONTENDED, since other sleepers may remain (Drepper's rule).
  while (Atomics.exchange(i32, LOCK, CONTENDED) !== FREE) {
    // Sleeps only while LOCK is still CONTENDED; the holder's unlock stores FREE, then notifies.
    if (block) waitSync(i32, LOCK, CONTENDED, Infinity, 'Queue');
  }
}

function unlock(i32: Int32Array): void {
  // HELD means nobody went to sleep: no notify. One wake suffices: the woken thread re-marks CONTENDED.
  if (Atomics.exchange(i32, LOCK, FREE) === CONTENDED) notify(i32, LOCK, 1);
}

/** Outcome of {@link push} or {@link pop} other than "wait": the queue is closed. */
export const IS_CLOSED = 'closed';

/**
 * Appends `bytes` if the queue has room. Returns null when appended, IS_CLOSED when closed (nothing
 * appended), otherwise the GET_SEQ value to sleep on (I1). `bytes.length` must fit the data area.
 */
export function push(mem: QueueMemory, bytes: Uint8Array): number | null | typeof IS_CLOSED {
  const { i32, data, capacity } = mem;
  lock(i32);
  if (Atomics.load(i32, CLOSED) !== 0) {
    unlock(i32);
    return IS_CLOSED;
  }
  const count = Atomics.load(i32, COUNT);
  const used = Atomics.load(i32, DATA_USED);
  if (count === capacity || data.length - used < bytes.length) {
    const seen = Atomics.load(i32, GET_SEQ);
    unlock(i32);
    return seen;
  }
  Atomics.store(i32, HEADER_SLOTS + ((Atomics.load(i32, HEAD) + count) % capacity), bytes.length);
  copyIn(data, (Atomics.load(i32, DATA_HEAD) + used) % data.length, bytes);
  Atomics.store(i32, COUNT, count + 1);
  Atomics.store(i32, DATA_USED, used + bytes.length);
  Atomics.add(i32, PUT_SEQ, 1);
  unlock(i32);
  // I1: PUT_SEQ moved before this load. I2: one getter is enough for one item.
  if (Atomics.load(i32, GETTERS) > 0) notify(i32, PUT_SEQ, 1);
  return null;
}

/**
 * Where pop copies an item inside the lock: one buffer per thread, reused, so the critical section
 * allocates nothing (an allocation there can start a garbage collection while the lock is held).
 */
let scratch = new Uint8Array(4096);

/**
 * Removes the oldest item. Returns its bytes, IS_CLOSED when the queue is closed and empty, otherwise
 * the PUT_SEQ value to sleep on (I1). With `keep` the bytes are a private copy; without it they are a
 * view on this thread's scratch buffer, valid until the thread's next pop (for callers that decode at
 * once).
 */
export function pop(mem: QueueMemory, keep: boolean): Uint8Array | number | typeof IS_CLOSED {
  const { i32, data, capacity } = mem;
  lock(i32);
  const count = Atomics.load(i32, COUNT);
  if (count === 0) {
    const seen = Atomics.load(i32, CLOSED) !== 0 ? IS_CLOSED : Atomics.load(i32, PUT_SEQ);
    unlock(i32);
    return seen;
  }
  const head = Atomics.load(i32, HEAD);
  const length = Atomics.load(i32, HEADER_SLOTS + head);
  const start = Atomics.load(i32, DATA_HEAD);
  if (length > scratch.length) scratch = new Uint8Array(Math.max(length, 2 * scratch.length));
  copyOut(data, start, length, scratch);
  Atomics.store(i32, HEAD, (head + 1) % capacity);
  Atomics.store(i32, COUNT, count - 1);
  // An empty queue starts over at offset 0, so small items rarely straddle the end of the data area.
  Atomics.store(i32, DATA_HEAD, count === 1 ? 0 : (start + length) % data.length);
  Atomics.store(i32, DATA_USED, Atomics.load(i32, DATA_USED) - length);
  Atomics.add(i32, GET_SEQ, 1);
  unlock(i32);
  // I1: GET_SEQ moved before this load. I2: wake every putter; each re-checks for its own size.
  if (Atomics.load(i32, PUTTERS) > 0) notify(i32, GET_SEQ, Infinity);
  return keep ? scratch.slice(0, length) : scratch.subarray(0, length);
}

/** Closes the queue (idempotent) and wakes every waiter (I4). */
export function close(i32: Int32Array): void {
  lock(i32);
  Atomics.store(i32, CLOSED, 1);
  Atomics.add(i32, PUT_SEQ, 1);
  Atomics.add(i32, GET_SEQ, 1);
  unlock(i32);
  notify(i32, PUT_SEQ, Infinity);
  notify(i32, GET_SEQ, Infinity);
}

/** I3: after a getter left without an item, wake another if an item is waiting for one. */
export function passOnGet(i32: Int32Array): void {
  if (Atomics.load(i32, COUNT) > 0 && Atomics.load(i32, GETTERS) > 0) notify(i32, PUT_SEQ, 1);
}

/**
 * I6: evicts an aborted async wait from the waiter list of `slot` (PUT_SEQ for a getter, GET_SEQ for a
 * putter) by waking every sleeper there. The counter stays: the others see a spurious wake-up, re-check
 * and sleep again.
 */
export function evict(i32: Int32Array, slot: number): void {
  notify(i32, slot, Infinity);
}

/** Loads a blocking get or put spins for before parking (~30–70 µs, about one futex wake-up). */
export const WAIT_SPIN_LIMIT = 4000;

/**
 * Spins until `i32[slot]` (PUT_SEQ for a getter, GET_SEQ for a putter) is no longer `seen`, the value
 * its failed check read, up to WAIT_SPIN_LIMIT loads; whether it changed. Both counters also move on
 * close (I4), so a spinner sees that too.
 */
export function spinWhile(i32: Int32Array, slot: number, seen: number): boolean {
  for (let i = 0; i < WAIT_SPIN_LIMIT; i++) if (Atomics.load(i32, slot) !== seen) return true;
  return false;
}

/** Runs `wait` registered in `slot` (GETTERS or PUTTERS, I1), deregistering however it ends. */
export function registered<R>(i32: Int32Array, slot: number, wait: () => R): R {
  Atomics.add(i32, slot, 1);
  try {
    return wait();
  } finally {
    Atomics.sub(i32, slot, 1);
  }
}

function copyIn(data: Uint8Array, at: number, bytes: Uint8Array): void {
  const first = Math.min(bytes.length, data.length - at);
  data.set(first === bytes.length ? bytes : bytes.subarray(0, first), at);
  if (first < bytes.length) data.set(bytes.subarray(first), 0);
}

/** Items up to this many bytes are copied out byte by byte: no subarray object inside the lock. */
const SMALL_COPY = 64;

function copyOut(data: Uint8Array, at: number, length: number, out: Uint8Array): void {
  const first = Math.min(length, data.length - at);
  if (length <= SMALL_COPY) {
    for (let i = 0; i < first; i++) out[i] = data[at + i]!;
    for (let i = first; i < length; i++) out[i] = data[i - first]!;
    return;
  }
  out.set(data.subarray(at, at + first));
  if (first < length) out.set(data.subarray(0, length - first), first);
}
