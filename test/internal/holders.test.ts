// Unit tests of the per-thread holdings table (src/internal/holders.ts) on plain shared memory. Other
// threads' entries are written by hand with fake thread ids, and their deaths marked in the process's
// dead-thread registry with markThreadDead (the ids are far above any real thread id of this process).
import { describe, expect, it } from 'vitest';
import { markThreadDead } from '../../src/internal/dead-threads.js';
import {
  HOLDER_ENTRIES,
  HOLDER_SLOTS,
  NO_ENTRY,
  heldCount,
  holderEntry,
  ownsEntry,
  reclaimDeadHolders,
  recordHeld,
  recordReleased,
} from '../../src/internal/holders.js';

const AT = 3; // the table's Int32 index: not 0, so that index arithmetic is exercised
let nextFakeId = 1_000_000;

/** A zeroed table at AT, and a recorder of what is given back. */
function table() {
  const i32 = new Int32Array(new SharedArrayBuffer((AT + HOLDER_SLOTS + 1) * 4));
  const given: number[] = [];
  return { i32, given, giveBack: (n: number) => void given.push(n) };
}

/** Writes an entry for a fake thread (not this one) holding `count`; returns its id. */
function fakeEntry(i32: Int32Array, entry: number, count: number): number {
  const id = nextFakeId++;
  i32[AT + 2 * entry] = id + 1;
  i32[AT + 2 * entry + 1] = count;
  return id;
}

describe('holder table', () => {
  it("claims one entry per thread and counts this thread's holdings in it", () => {
    const { i32, given, giveBack } = table();
    const e = holderEntry(i32, AT, giveBack);
    expect(e).toBe(AT);
    expect(holderEntry(i32, AT, giveBack)).toBe(e); // the same entry again
    expect(ownsEntry(i32, e)).toBe(true);
    recordHeld(i32, e, 1);
    recordHeld(i32, e, 2);
    expect(heldCount(i32, e)).toBe(3);
    expect(recordReleased(i32, e, 4)).toBe(false); // more than held: refused, nothing changes
    expect(heldCount(i32, e)).toBe(3);
    expect(recordReleased(i32, e, 3)).toBe(true);
    expect(heldCount(i32, e)).toBe(0);
    expect(ownsEntry(i32, e)).toBe(true); // kept while the thread lives
    expect(given).toEqual([]);
    expect(i32[AT + HOLDER_SLOTS]).toBe(0); // nothing written past the table
  });

  it('skips entries of other threads, live or dead', () => {
    const { i32, giveBack } = table();
    fakeEntry(i32, 0, 2);
    markThreadDead(fakeEntry(i32, 1, 1));
    expect(holderEntry(i32, AT, giveBack)).toBe(AT + 4); // the first free one
  });

  it('gives back what dead threads hold, once, and leaves live ones and empty dead ones alone', () => {
    const { i32, given, giveBack } = table();
    const live = fakeEntry(i32, 0, 2);
    const dead = fakeEntry(i32, 1, 3);
    const deadEmpty = fakeEntry(i32, 2, 0);
    const dead2 = fakeEntry(i32, HOLDER_ENTRIES - 1, 1);
    for (const id of [dead, deadEmpty, dead2]) markThreadDead(id);
    expect(reclaimDeadHolders(i32, AT, giveBack)).toBe(4);
    expect(given.sort()).toEqual([1, 3]);
    expect([i32[AT], i32[AT + 1]]).toEqual([live + 1, 2]);
    expect([i32[AT + 2], i32[AT + 3]]).toEqual([0, 0]); // freed
    expect([i32[AT + 4], i32[AT + 5]]).toEqual([deadEmpty + 1, 0]); // left for holderEntry to recycle
    expect(reclaimDeadHolders(i32, AT, giveBack)).toBe(0); // nothing twice
    expect(given).toHaveLength(2);
  });

  it('a full table of live threads leaves the newcomer untracked (NO_ENTRY)', () => {
    const { i32, given, giveBack } = table();
    for (let k = 0; k < HOLDER_ENTRIES; k++) fakeEntry(i32, k, k % 2);
    const before = i32.slice();
    const e = holderEntry(i32, AT, giveBack);
    expect(e).toBe(NO_ENTRY);
    expect(ownsEntry(i32, e)).toBe(false);
    recordHeld(i32, e, 1);
    expect(recordReleased(i32, e, 1)).toBe(true);
    expect(heldCount(i32, e)).toBe(0);
    expect(i32).toEqual(before); // untouched
    expect(given).toEqual([]);
  });

  it("a full table recycles a dead thread's entry, giving back what it held first", () => {
    for (const held of [0, 2]) {
      const { i32, given, giveBack } = table();
      for (let k = 0; k < HOLDER_ENTRIES; k++) fakeEntry(i32, k, 1);
      const victim = 17;
      i32[AT + 2 * victim + 1] = held;
      markThreadDead(i32[AT + 2 * victim]! - 1);
      const e = holderEntry(i32, AT, giveBack);
      expect(e).toBe(AT + 2 * victim);
      expect(ownsEntry(i32, e)).toBe(true);
      expect(heldCount(i32, e)).toBe(0);
      expect(given).toEqual(held === 0 ? [] : [held]);
      expect(reclaimDeadHolders(i32, AT, giveBack)).toBe(0); // everything else is live
    }
  });
});
