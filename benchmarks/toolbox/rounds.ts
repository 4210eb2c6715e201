// A round gate for bodies that measure one-shot primitives (CountDownLatch, Once) many times: every
// worker arrives once per round; the last one to arrive resets the primitive and opens the next round.
// Both the threadkit and the naive runs go through the same gate, so it costs them alike.

export class RoundGate {
  #round = 0;
  constructor(
    private readonly i32: Int32Array,
    /** Int32 slots: `at` counts arrivals, `at + 1` is the round number. */
    private readonly at: number,
    private readonly parties: number,
    private readonly stopped: () => boolean,
  ) {}

  /** Waits for the others; the last arrival calls `reset` first. False if the run stopped meanwhile. */
  arrive(reset: () => void): boolean {
    const { i32, at } = this;
    const round = this.#round++;
    if (Atomics.add(i32, at, 1) + 1 === this.parties) {
      Atomics.store(i32, at, 0);
      reset();
      Atomics.store(i32, at + 1, round + 1);
      Atomics.notify(i32, at + 1);
      return true;
    }
    while (Atomics.load(i32, at + 1) === round) {
      if (Atomics.wait(i32, at + 1, round, 20) === 'timed-out' && this.stopped()) return false;
    }
    return true;
  }
}

/** Int32 slot where the bodies put their gate (past any primitive under test). */
export const GATE = 48;
