// Naive versions of the toolbox primitives, the way they are commonly hand-written on Atomics: the
// baselines the threadkit primitives are measured against. Correct and parking (Atomics.wait) rather
// than spinning, but without the refinements (every release notifies even when nobody waits, no
// brief spin before sleeping, reader preference).

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

/**
 * Generation barrier: a count word and a generation word. The last arrival resets the count, bumps
 * the generation and wakes everyone; the others sleep while the generation is the one they arrived in.
 */
export class NaiveBarrier {
  constructor(
    private readonly i32: Int32Array,
    private readonly at: number,
    private readonly parties: number,
  ) {}
  /** Returns false if `aborted()` while waiting (checked on every wake-up, at least every 20 ms). */
  wait(aborted: () => boolean): boolean {
    const count = this.at;
    const generation = this.at + 1;
    // Read before arriving: once this arrival is counted, the last one may bump it at any moment.
    const gen = Atomics.load(this.i32, generation);
    if (Atomics.add(this.i32, count, 1) + 1 === this.parties) {
      Atomics.store(this.i32, count, 0);
      Atomics.add(this.i32, generation, 1);
      Atomics.notify(this.i32, generation);
      return true;
    }
    while (Atomics.load(this.i32, generation) === gen) {
      if (aborted()) return false;
      // Sleeps only while the generation is still `gen`: the last arrival bumps it before notifying.
      Atomics.wait(this.i32, generation, gen, 20);
    }
    return true;
  }
  /** Wakes every waiter, so that each checks its `aborted()` now. */
  wakeAll(): void {
    Atomics.notify(this.i32, this.at + 1);
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

/** Flag on one word (1 = set): set stores and wakes everyone, wait sleeps while 0. */
export class NaiveEvent {
  constructor(
    private readonly i32: Int32Array,
    private readonly at: number,
  ) {}
  set(): void {
    Atomics.store(this.i32, this.at, 1);
    Atomics.notify(this.i32, this.at);
  }
  clear(): void {
    Atomics.store(this.i32, this.at, 0);
  }
  /** False if `timeoutMs` passed with the flag still clear. */
  wait(timeoutMs: number): boolean {
    while (Atomics.load(this.i32, this.at) === 0) {
      if (Atomics.wait(this.i32, this.at, 0, timeoutMs) === 'timed-out') return false;
    }
    return true;
  }
}

/** Count on one word: every countDown notifies at zero, wait sleeps while it is not zero. */
export class NaiveLatch {
  constructor(
    private readonly i32: Int32Array,
    private readonly at: number,
  ) {}
  reset(count: number): void {
    Atomics.store(this.i32, this.at, count);
  }
  countDown(): void {
    if (Atomics.sub(this.i32, this.at, 1) === 1) Atomics.notify(this.i32, this.at);
  }
  /** False if `timeoutMs` passed before the count reached zero. */
  wait(timeoutMs: number): boolean {
    for (;;) {
      const c = Atomics.load(this.i32, this.at);
      if (c <= 0) return true;
      if (Atomics.wait(this.i32, this.at, c, timeoutMs) === 'timed-out') return false;
    }
  }
}

/** Sequence-number futex condvar: wait sleeps on the sequence it saw, every notify bumps it. */
export class NaiveCondvar {
  constructor(
    private readonly i32: Int32Array,
    private readonly at: number,
  ) {}
  /** Call with `lock` held; holds it again on return. False if `timeoutMs` passed without a notify. */
  wait(lock: { lock(): void; unlock(): void }, timeoutMs: number): boolean {
    const seq = Atomics.load(this.i32, this.at);
    lock.unlock();
    const r = Atomics.wait(this.i32, this.at, seq, timeoutMs);
    lock.lock();
    return r !== 'timed-out';
  }
  notify(): void {
    Atomics.add(this.i32, this.at, 1);
    Atomics.notify(this.i32, this.at, 1);
  }
}

/** Once on one word: 0 new, 1 running, 2 done; the winner of a CAS runs, the others sleep while 1. */
export class NaiveOnce {
  constructor(
    private readonly i32: Int32Array,
    private readonly at: number,
  ) {}
  reset(): void {
    Atomics.store(this.i32, this.at, 0);
  }
  /** True if this call ran `fn` (no retry if `fn` throws: the naive version does not handle that). */
  run(fn: () => void): boolean {
    for (;;) {
      const s = Atomics.compareExchange(this.i32, this.at, 0, 1);
      if (s === 2) return false;
      if (s === 0) {
        fn();
        Atomics.store(this.i32, this.at, 2);
        Atomics.notify(this.i32, this.at);
        return true;
      }
      Atomics.wait(this.i32, this.at, 1);
    }
  }
}
