// The baseline: Ulrich Drepper's 3-state futex mutex ("Futexes Are Tricky", mutex3), with no spinning,
// no owner check and no fairness. It is what a competent hand-rolled Atomics lock looks like, so the
// threadkit Mutex has to beat it to justify its extra machinery.

/** Lock word values. */
const UNLOCKED = 0;
/** Locked, nobody waiting: unlock need not notify. */
const LOCKED = 1;
/** Locked, maybe with sleepers: unlock must notify. */
const CONTENDED = 2;

export class NaiveFutexLock {
  readonly #i32: Int32Array;
  readonly #at: number;

  /** Uses the Int32 at `byteOffset` of `buffer` (zeroed = unlocked). */
  constructor(buffer: SharedArrayBuffer, byteOffset: number) {
    this.#i32 = new Int32Array(buffer);
    this.#at = byteOffset / Int32Array.BYTES_PER_ELEMENT;
  }

  lock(): void {
    const i32 = this.#i32;
    const at = this.#at;
    let c = Atomics.compareExchange(i32, at, UNLOCKED, LOCKED);
    if (c === UNLOCKED) return;
    // Mark the lock contended before sleeping, so the holder's unlock notifies us.
    if (c !== CONTENDED) c = Atomics.exchange(i32, at, CONTENDED);
    while (c !== UNLOCKED) {
      // Sleeps only while the word is still CONTENDED; an unlock in between makes it return at once.
      Atomics.wait(i32, at, CONTENDED);
      c = Atomics.exchange(i32, at, CONTENDED);
    }
  }

  unlock(): void {
    const i32 = this.#i32;
    const at = this.#at;
    // LOCKED → UNLOCKED with nobody to wake; from CONTENDED, release fully and wake one sleeper.
    if (Atomics.sub(i32, at, 1) !== LOCKED) {
      Atomics.store(i32, at, UNLOCKED);
      Atomics.notify(i32, at, 1);
    }
  }

  /** True if this lock is held by anyone (the naive lock has no notion of an owner). */
  get isLocked(): boolean {
    return Atomics.load(this.#i32, this.#at) !== UNLOCKED;
  }
}
