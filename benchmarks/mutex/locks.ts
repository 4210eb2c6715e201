// The locks the mutex benchmarks compare, behind one tiny interface, placed in a shared buffer so every
// worker opens the same lock. Each lock gets its own cache line so neighbours do not interfere.
import { Mutex } from 'threadkit/mutex';
import { NaiveFutexLock } from './naive-futex-lock.js';

export const LOCK_NAMES = ['threadkit', 'naive futex'] as const;
export type LockName = (typeof LOCK_NAMES)[number];

export interface BenchLock {
  lock(): void;
  unlock(): void;
}

/** Bytes between two locks (or a lock and a counter) in a benchmark buffer: one cache line. */
export const LINE = 64;

/** A buffer with room for `locks` locks followed by one Int32 counter, each on its own line. */
export function lockBuffer(locks: number): SharedArrayBuffer {
  return new SharedArrayBuffer(LINE * (locks + 1));
}

/** The counter that follows the locks in a {@link lockBuffer}. */
export function counterOf(shared: SharedArrayBuffer, locks: number): Int32Array {
  return new Int32Array(shared, LINE * locks, 1);
}

/** Opens lock number `slot` of `shared` (the threadkit one is created on first open). */
export function openLock(name: string, shared: SharedArrayBuffer, slot: number): BenchLock {
  const byteOffset = slot * LINE;
  switch (name) {
    case 'threadkit':
      // Opening keeps the state of a mutex already at this offset (Mutex's constructor contract).
      return new Mutex({ buffer: shared, byteOffset });
    case 'naive futex':
      return new NaiveFutexLock(shared, byteOffset);
    default:
      throw new TypeError(`Expected a lock name (${LOCK_NAMES.join(', ')}), got ${name}`);
  }
}
