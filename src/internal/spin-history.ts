// Whether spinning before parking has been paying off lately, for one thread (parking_lot's adaptive
// spinning, and the idle poll of src/thread/thread-worker.ts). A spin that ends without the change it
// waited for burned its time for nothing; several misses in a row mean the other threads are not
// running (more threads than cores, or a machine busy with other work), and further spins would only
// take the core they need. So after MISSES_TO_PAUSE misses in a row, spinning stops for PAUSE_WAITS
// waits; then one wait probes with a spin again. A hit resets the count.

/** Misses in a row that switch spinning off. */
const MISSES_TO_PAUSE = 3;
/** Waits that then park at once, before the next probe. */
const PAUSE_WAITS = 64;

/** One thread's recent spins on one primitive (keep it per object; objects are never shared between threads). */
export class SpinHistory {
  // Spins in a row that ended without the awaited change.
  #misses = 0;
  // Waits left that should park without spinning; the wait that brings it to 0 probes.
  #paused = 0;

  /** Whether this wait should spin first. */
  shouldSpin(): boolean {
    return this.#paused === 0 || --this.#paused === 0;
  }

  /** Records how a spin ended: `hit` if what it waited for happened while it spun. */
  record(hit: boolean): void {
    if (hit) this.#misses = 0;
    else if (++this.#misses >= MISSES_TO_PAUSE) this.#paused = PAUSE_WAITS;
  }
}
