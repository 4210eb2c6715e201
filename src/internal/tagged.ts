// Creating or opening a primitive in caller-supplied shared memory. Each primitive keeps a TAG slot
// that says which primitive the memory holds; the first constructor claims it and initialises the
// other slots before publishing the tag, so a concurrent constructor or `from()` never sees them
// half-written.
import { checkSharedSlots, describe } from './validate.js';

/** TAG value while the claiming thread initialises the slots (no primitive uses it as its tag). */
const INITIALISING = -1;

/** Where a primitive lives: validated memory plus its tag slot. */
export interface TaggedSlots {
  readonly i32: Int32Array;
  readonly base: number;
  readonly buffer: SharedArrayBuffer;
  readonly byteOffset: number;
}

/**
 * Claims zeroed memory for a primitive of kind `tag` (running `init` before publishing the tag), or
 * opens the one of the same kind already there. Returns whether it was created. `tagSlot` must be the
 * primitive's last slot.
 *
 * @throws TypeError naming `byteOffset` when the memory holds another primitive or other data
 */
export function claimTagged(
  slots: TaggedSlots,
  tagSlot: number,
  tag: number,
  kind: string,
  init: () => void,
): boolean {
  const at = slots.base + tagSlot;
  // The tag is every primitive's last slot. Read the others before claiming: nobody writes them
  // before the tag is claimed, so nonzero slots under a zero tag are foreign data (or an overlapping
  // primitive), which would read as a lock held forever or a count that never drains.
  let foreign = false;
  for (let i = slots.base; i < at; i++) if (Atomics.load(slots.i32, i) !== 0) foreign = true;
  const found = foreign
    ? Atomics.load(slots.i32, at)
    : Atomics.compareExchange(slots.i32, at, 0, INITIALISING);
  if (found === 0 && foreign) {
    throw new TypeError(
      `Expected \`byteOffset\` ${slots.byteOffset} to hold a ${kind} or free (zeroed) memory, found other data`,
    );
  }
  if (found === 0) {
    init();
    Atomics.store(slots.i32, at, tag);
    return true;
  }
  // Another thread is initialising this very memory: its init is a handful of stores.
  let seen = found;
  while (seen === INITIALISING) seen = Atomics.load(slots.i32, at);
  if (seen !== tag) {
    throw new TypeError(
      `Expected \`byteOffset\` ${slots.byteOffset} to hold a ${kind} or free (zeroed) memory, found other data`,
    );
  }
  return false;
}

/**
 * Validates the structured clone of a primitive (`{ buffer, byteOffset }` and the tag in memory) and
 * returns its slots. `kind` names the class in messages.
 *
 * @throws TypeError naming `handle` when it is not the clone of a `kind`
 */
export function openTagged(
  handle: unknown,
  bytes: number,
  tagSlot: number,
  tag: number,
  kind: string,
): TaggedSlots {
  const h = handle as { buffer?: unknown; byteOffset?: unknown } | null;
  if (h === null || typeof h !== 'object' || !(h.buffer instanceof SharedArrayBuffer)) {
    throw new TypeError(
      `Expected \`handle\` to be a cloned ${kind} ({ buffer: SharedArrayBuffer, byteOffset }), got ${describe(handle)}`,
    );
  }
  const slots = checkSharedSlots(h.buffer, h.byteOffset, bytes, {
    buffer: 'handle.buffer',
    byteOffset: 'handle.byteOffset',
  });
  if (Atomics.load(slots.i32, slots.base + tagSlot) !== tag) {
    throw new TypeError(`Expected \`handle\` to be a cloned ${kind}, but its memory holds no ${kind}`);
  }
  return slots;
}
