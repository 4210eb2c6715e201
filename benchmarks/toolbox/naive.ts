// Naive versions of the toolbox primitives, the way they are commonly hand-written on Atomics: the
// baselines the threadkit primitives are measured against. Correct, but without the refinements
// (no skipped notify when nobody waits, busy-spinning instead of sleeping, reader preference).

/** Counting semaphore on one word: sleeps only at 0, and every release notifies. */
export class NaiveSemaphore {
  constructor(
    private readonly i32: Int32Array,
    private readonly at: number,
  ) {}
  acquire(): void {
    for (;;) {
      const c = Atomics.load(this.i32, this.at);
      if (c > 0) {
        if (Atomics.compareExchange(this.i32, this.at, c, c - 1) === c) return;
      } else {
        Atomics.wait(this.i32, this.at, 0);
      }
    }
  }
  release(): void {
    Atomics.add(this.i32, this.at, 1);
    Atomics.notify(this.i32, this.at);
  }
}

/** Spinning barrier: count + generation words, waiters busy-poll the generation. */
export class NaiveBarrier {
  constructor(
    private readonly i32: Int32Array,
    private readonly at: number,
    private readonly parties: number,
  ) {}
  /** Returns false if aborted while waiting. */
  wait(aborted: () => boolean): boolean {
    const gen = Atomics.load(this.i32, this.at + 1);
    if (Atomics.add(this.i32, this.at, 1) + 1 === this.parties) {
      Atomics.store(this.i32, this.at, 0);
      Atomics.add(this.i32, this.at + 1, 1);
      return true;
    }
    while (Atomics.load(this.i32, this.at + 1) === gen) if (aborted()) return false;
    return true;
  }
}

/** Reader-preferring rwlock on one word: n > 0 readers, -1 a writer; every unlock notifies all. */
export class NaiveRwLock {
  constructor(
    private readonly i32: Int32Array,
    private readonly at: number,
  ) {}
  readLock(): void {
    for (;;) {
      const s = Atomics.load(this.i32, this.at);
      if (s >= 0) {
        if (Atomics.compareExchange(this.i32, this.at, s, s + 1) === s) return;
      } else {
        Atomics.wait(this.i32, this.at, s);
      }
    }
  }
  readUnlock(): void {
    if (Atomics.sub(this.i32, this.at, 1) === 1) Atomics.notify(this.i32, this.at);
  }
  writeLock(): void {
    for (;;) {
      const s = Atomics.compareExchange(this.i32, this.at, 0, -1);
      if (s === 0) return;
      Atomics.wait(this.i32, this.at, s);
    }
  }
  writeUnlock(): void {
    Atomics.store(this.i32, this.at, 0);
    Atomics.notify(this.i32, this.at);
  }
}
