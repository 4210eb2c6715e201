// How a Thread ended, once it has, and the delivery of that to the program: join()'s wait for it,
// `result` and `error`, and the report of a failure of its own that the program never looked at
// (unhandled.ts). Set once; never changes afterwards.
import { ThreadStateError, TimeoutError } from '../errors.js';
import type { Outcome } from './outcome.js';
import { checkUnhandled } from './unhandled.js';

/** The outcome of one thread and whether the program has been given it. */
export class ThreadSettlement<R> {
  #outcome: Outcome<R> | undefined;
  /** Whether the program has been given the thread's error (see unhandled.ts): then it is not reported. */
  #delivered = false;
  #resolveDone: () => void = () => {};
  /** Resolves once the thread has settled. */
  readonly done = new Promise<void>((resolve) => (this.#resolveDone = resolve));

  /** The outcome, once settled. */
  get outcome(): Outcome<R> | undefined {
    return this.#outcome;
  }

  /**
   * Records the outcome; call once. `own`: it is the thread's own failure (its target failed, or its
   * worker died), not one from start(), terminate() or the signal: unless the program is given it
   * within the grace period (or before the process exits), or `excused()` says by then that it need
   * not be (terminate() came first), it is reported (unhandled.ts).
   */
  settle(outcome: Outcome<R>, own?: { readonly name: string; readonly excused: () => boolean }): void {
    this.#outcome = outcome;
    this.#resolveDone();
    if (own && !outcome.ok) checkUnhandled(own.name, outcome.error, () => this.#delivered || own.excused());
  }

  /**
   * Waits for the outcome, at most `limitMs`.
   *
   * @throws TimeoutError naming thread `name` if `limitMs` passed first
   */
  async wait(limitMs: number, name: string): Promise<void> {
    if (limitMs !== Infinity) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, limitMs, true)));
      const late = await Promise.race([this.done.then(() => false), timedOut]);
      clearTimeout(timer);
      if (late) throw new TimeoutError(`${name} did not finish within ${limitMs} ms`);
    }
    await this.done;
  }

  /**
   * The result of thread `name`.
   *
   * @throws its error if it failed (the program has then been given it); ThreadStateError if it has
   *   not settled
   */
  result(name: string): R {
    const outcome = this.#outcome;
    if (!outcome) {
      // join() is synchronous in Python (`t.join(); t.result`): here it returns a promise.
      throw new ThreadStateError(
        `${name} has not finished: read \`result\` after \`await thread.join()\` (join() returns a promise), or after \`thread.joinSync()\``,
      );
    }
    if (!outcome.ok) {
      this.#delivered = true;
      throw outcome.error;
    }
    return outcome.value;
  }

  /** The error once the thread failed (the program has then been given it), else `undefined`. */
  get error(): unknown {
    if (this.#outcome?.ok !== false) return undefined;
    this.#delivered = true;
    return this.#outcome.error;
  }
}
