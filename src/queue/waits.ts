// Waiting for room or for an item: the loops around raw-queue's push and pop, sync and async. The
// Queue class only encodes, decodes and turns outcomes into return values and errors.
import { parkUntil, parkUntilAsync } from '../internal/park.js';
import type { SpinHistory } from '../internal/spin-history.js';
import {
  GETTERS,
  GET_SEQ,
  IS_CLOSED,
  PUTTERS,
  PUT_SEQ,
  type QueueMemory,
  evict,
  passOnGet,
  pop,
  push,
  spinWhile,
} from './raw-queue.js';

/** How a wait ended: true/bytes done, IS_CLOSED, or false/null when time ran out. */
type Closed = typeof IS_CLOSED;

/** A push as a wait-loop check: remembers whether it found the queue closed. */
function pushCheck(
  mem: QueueMemory,
  bytes: Uint8Array,
): { check: () => number | null; closed: () => boolean } {
  let closed = false;
  return {
    check() {
      const r = push(mem, bytes);
      if (r !== IS_CLOSED) return r;
      closed = true;
      return null;
    },
    closed: () => closed,
  };
}

/** A pop as a wait-loop check: keeps what it took (bytes, or IS_CLOSED); `keep` as for pop. */
function popCheck(
  mem: QueueMemory,
  keep: boolean,
): {
  check: () => number | null;
  got: () => Uint8Array | Closed | undefined;
} {
  let got: Uint8Array | Closed | undefined;
  return {
    check() {
      const r = pop(mem, keep);
      if (typeof r === 'number') return r;
      got = r;
      return null;
    },
    got: () => got,
  };
}

/**
 * While `spins` says spinning pays off, polls `slot` unregistered until it moves from `first` (what
 * the first try saw) and then runs `check` again; the usual registered wait follows if that did not
 * do (raw-queue I5). Returns what the wait loop should start from: `check`'s result, or `first`.
 */
function spinThenCheck(
  mem: QueueMemory,
  slot: number,
  first: number,
  check: () => number | null,
  spins: SpinHistory | undefined,
): number | null {
  if (spins?.shouldSpin() !== true) return first;
  const hit = spinWhile(mem.i32, slot, first);
  spins.record(hit);
  return hit ? check() : first;
}

/** Puts `bytes`, waiting up to `timeoutMs` for room; spins first while `spins` says that pays off. */
export function putSync(
  mem: QueueMemory,
  bytes: Uint8Array,
  timeoutMs: number,
  what: string,
  spins?: SpinHistory,
): boolean | Closed {
  // First try without the wait loop's closures: most puts find room.
  const first = push(mem, bytes);
  if (first === null) return true;
  if (first === IS_CLOSED) return IS_CLOSED;
  if (timeoutMs <= 0) return false;
  const { check, closed } = pushCheck(mem, bytes);
  const seen = spinThenCheck(mem, GET_SEQ, first, check, spins);
  let done = seen === null;
  if (!done) {
    // Registered before the re-check inside parkUntil (raw-queue I1).
    Atomics.add(mem.i32, PUTTERS, 1);
    try {
      done = parkUntil(mem.i32, GET_SEQ, timeoutMs, what, check);
    } finally {
      Atomics.sub(mem.i32, PUTTERS, 1);
    }
  }
  return closed() ? IS_CLOSED : done;
}

/**
 * Async {@link putSync}; rejects with the signal's reason when aborted. A put that finds room (or a
 * closed queue) is done at once, without a promise. `bytes` may be encodeValue's scratch: they are
 * copied before any wait, since other encodes may run meanwhile.
 */
export function putAsync(
  mem: QueueMemory,
  bytes: Uint8Array,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): boolean | Closed | Promise<boolean | Closed> {
  const first = push(mem, bytes);
  if (first === null) return true;
  if (first === IS_CLOSED) return IS_CLOSED;
  return putAsyncSlow(mem, new Uint8Array(bytes), signal, timeoutMs); // a copy (Buffer's slice is not)
}

async function putAsyncSlow(
  mem: QueueMemory,
  bytes: Uint8Array,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): Promise<boolean | Closed> {
  const { check, closed } = pushCheck(mem, bytes);
  Atomics.add(mem.i32, PUTTERS, 1);
  let done: boolean;
  try {
    // An aborted wait is evicted at once (raw-queue I6). Not for wake-ups: a get wakes every putter
    // (I2), so an absorbed notify strands nobody; but so that aborted waits do not pile up in the list.
    done = await parkUntilAsync(mem.i32, GET_SEQ, timeoutMs, signal, check, () => evict(mem.i32, GET_SEQ));
  } finally {
    Atomics.sub(mem.i32, PUTTERS, 1);
  }
  return closed() ? IS_CLOSED : done;
}

/**
 * Takes the oldest item's bytes, waiting up to `timeoutMs` for one (null when none came); may spin
 * first. The bytes are a view on pop's scratch buffer: decode them before this thread pops again.
 */
export function getSync(
  mem: QueueMemory,
  timeoutMs: number,
  what: string,
  spins?: SpinHistory,
): Uint8Array | Closed | null {
  // Not kept: the caller decodes the bytes before this thread pops again. First try without the
  // wait loop's closures.
  const first = pop(mem, false);
  if (typeof first !== 'number') return first;
  if (timeoutMs <= 0) return null;
  const { check, got } = popCheck(mem, false);
  const seen = spinThenCheck(mem, PUT_SEQ, first, check, spins);
  if (seen !== null) {
    Atomics.add(mem.i32, GETTERS, 1);
    try {
      parkUntil(mem.i32, PUT_SEQ, timeoutMs, what, check);
    } finally {
      Atomics.sub(mem.i32, GETTERS, 1);
      // Leaving without an item (timed out, or BlockingNotAllowedError): raw-queue I3.
      if (got() === undefined) passOnGet(mem.i32);
    }
  }
  return got() ?? null;
}

/**
 * Async {@link getSync}; rejects with the signal's reason when aborted. A get that finds an item (or
 * a closed, empty queue) is done at once, without a promise, and its bytes are pop's scratch (decode
 * them at once); the bytes a promise settles with are the caller's own.
 */
export function getAsync(
  mem: QueueMemory,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): Uint8Array | Closed | Promise<Uint8Array | Closed | null> {
  // The first try's bytes are decoded at once; those a wait returns live across turns: kept.
  const first = pop(mem, false);
  return typeof first === 'number' ? getAsyncSlow(mem, signal, timeoutMs) : first;
}

async function getAsyncSlow(
  mem: QueueMemory,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): Promise<Uint8Array | Closed | null> {
  const { check, got } = popCheck(mem, true);
  Atomics.add(mem.i32, GETTERS, 1);
  try {
    // Registered before parkUntilAsync's first check (raw-queue I1). An aborted wait is evicted at
    // once, so it cannot absorb a put's notify(1) meant for a live getter (raw-queue I6).
    await parkUntilAsync(mem.i32, PUT_SEQ, timeoutMs, signal, check, () => evict(mem.i32, PUT_SEQ));
  } finally {
    Atomics.sub(mem.i32, GETTERS, 1);
    if (got() === undefined) passOnGet(mem.i32);
  }
  return got() ?? null;
}
