// Robust semaphores: permits belong to the thread that acquired them, so a thread that dies holding
// some does not strand them (issue #8). The Semaphore class calls into this file only when its FLAGS
// slot has ROBUST_FLAG; a plain semaphore never touches the holder table.
//
// Who is told: the acquirer whose own wait gave back a dead holder's permits (its check reclaimed, or
// claiming its table entry recycled a dead thread's) gets, once it holds the permits it asked for, an
// OwnerDiedError whose guard releases them. It is the one that found the death; another waiter may take
// the permits it gave back without being told, and if the reclaiming acquirer gives up (timeout, abort,
// tryAcquire with no wait) nobody is told.
import { NotOwnerError, OwnerDiedError } from '../errors.js';
import { ReleaseGuard } from '../internal/release-guard.js';
import {
  NO_ENTRY,
  heldCount,
  holderEntry,
  reclaimDeadHolders,
  recordHeld,
  recordReleased,
} from '../internal/holders.js';
import { HOLDERS, restore, tryTake } from './raw-semaphore.js';

/** Gives back, into COUNT, every permit held by dead threads; returns how many. */
export function reclaim(i32: Int32Array, base: number): number {
  return reclaimDeadHolders(i32, base + HOLDERS, (n) => restore(i32, base, n));
}

/**
 * One robust acquisition's condition check for the park loop: take `n` permits, and when too few are
 * available give back dead holders' permits and try again. Remembers whether it gave any back.
 */
export class RobustAttempt {
  /** Whether a check gave back a dead holder's permits. */
  reclaimed = false;
  readonly #i32: Int32Array;
  readonly #base: number;
  readonly #n: number;

  constructor(i32: Int32Array, base: number, n: number) {
    this.#i32 = i32;
    this.#base = base;
    this.#n = n;
  }

  readonly check = (): number | null => {
    const seen = tryTake(this.#i32, this.#base, this.#n);
    // Scan the table only when short: a waiter that can take never pays for it.
    if (seen === null || reclaim(this.#i32, this.#base) === 0) return seen;
    this.reclaimed = true;
    return tryTake(this.#i32, this.#base, this.#n);
  };
}

/**
 * One Semaphore instance's handle on the current thread's entry in the holder table. The entry is
 * claimed on first use and cached: a live thread's entry stays its own. NO_ENTRY (more than
 * HOLDER_ENTRIES live threads use the semaphore) is cached too: this instance then holds untracked, so
 * its releases are not checked and its permits are not recovered if the thread dies.
 */
export class Holdings {
  readonly #i32: Int32Array;
  readonly #base: number;
  #entry: number | undefined;
  // Set by #claim when recycling a dead thread's entry gave back its permits.
  #recycled = false;

  constructor(i32: Int32Array, base: number) {
    this.#i32 = i32;
    this.#base = base;
  }

  /**
   * Records `n` permits just taken. Returns true if claiming this thread's entry first gave back a
   * dead thread's permits (the caller reports that as a reclaim of its own).
   */
  record(n: number): boolean {
    const recycled = this.#claim();
    recordHeld(this.#i32, this.#entry!, n);
    return recycled;
  }

  /**
   * Records `n` permits about to be released; false, changing nothing, if this thread holds fewer. A
   * thread releasing before it ever acquired claims an entry here; if that recycles a dead thread's
   * entry, its permits go back into the count with nobody told (only with a full table).
   */
  unrecord(n: number): boolean {
    this.#claim();
    return recordReleased(this.#i32, this.#entry!, n);
  }

  /** Undoes {@link Holdings.unrecord} when the release itself was refused. */
  restoreRecord(n: number): void {
    recordHeld(this.#i32, this.#entry!, n);
  }

  /** Permits this thread holds, as recorded (for messages). */
  get held(): number {
    return this.#entry === undefined ? 0 : heldCount(this.#i32, this.#entry);
  }

  /** Whether this instance holds untracked (the table was full when it first needed an entry). */
  get untracked(): boolean {
    return this.#entry === NO_ENTRY;
  }

  #claim(): boolean {
    if (this.#entry !== undefined) return false;
    this.#recycled = false;
    this.#entry = holderEntry(this.#i32, this.#base + HOLDERS, (n) => {
      this.#recycled = true;
      restore(this.#i32, this.#base, n);
    });
    return this.#recycled;
  }
}

/** The error an acquirer that reclaimed gets, holding its `n` permits through `guard`. */
function ownerDied(n: number, release: () => void): OwnerDiedError {
  return new OwnerDiedError(
    `A thread holding permits of this robust Semaphore died; its permits were given back and this thread now holds the ${n} it asked for (see \`error.guard\`)`,
    new ReleaseGuard(release, 'These Semaphore permits'),
  );
}

/** What an OwnerDiedError's guard releases the permits through: the Semaphore that took them. */
export interface Releasable {
  release(n: number): void;
}

/**
 * Records `n` permits just taken as this thread's; throws OwnerDiedError holding them (released
 * through `semaphore`) if this acquisition gave back a dead holder's permits.
 */
export function recordAcquired(
  holdings: Holdings,
  semaphore: Releasable,
  n: number,
  reclaimed: boolean,
): void {
  const recycled = holdings.record(n);
  if (reclaimed || recycled) throw ownerDied(n, () => semaphore.release(n));
}

/** Records `n` permits about to be released, or throws NotOwnerError changing nothing. */
export function recordReleasing(holdings: Holdings, n: number): void {
  if (holdings.unrecord(n)) return;
  throw new NotOwnerError(
    `Semaphore.release(${n}): this thread holds ${holdings.held} of its permits; permits of a robust Semaphore must be released by the thread that acquired them`,
  );
}
