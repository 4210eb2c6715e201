// Objects that belong to the thread that made them, which nothing may send to another thread: a
// Thread (its worker is this thread's), a ThreadPool, a ThreadLocal (its values are this thread's), a
// lock's guard (the hold is this thread's). Structured clone would copy one as the plain data of its own
// properties (`{}`), which the receiver takes for the object and fails on later (`t.join is not a
// function`), or uses as a stale copy. So each class registers here, once, at module load, and this
// registers it with the codec (codec.ts) as 'thread-bound': the codec's walk, which every value
// crossing a thread boundary goes through (Thread and pool args and results, a Queue's values), meets
// one wherever it sits (inside arrays, objects, Maps, Sets, instances of the user's classes) and calls
// its encode, which throws a DataCloneError. No walk of its own, and nothing on the common path: the
// codec asks its registry only about objects that are neither plain objects nor arrays.
//
// The registry is one per thread, shared by the ESM and CommonJS builds (see codec.ts), so a Thread of
// one build is refused by the other build's Queue too, and the texts of the error travel with the
// codec. The callers, on that error, find where the object sat ({@link threadBoundFailure}: only the
// error path walks the value again) and say so, as they do for a function (src/thread/clone-failure.ts).
import { registerShareable, threadBoundCodec } from './codec.js';
import { findInValue, type Root } from './find-in-value.js';

/** A class whose instances belong to the thread that made them. */
export interface ThreadBound<T extends object> {
  /** Its name, unique among registered codecs (`'Thread'`). */
  readonly name: string;
  readonly type: abstract new (...args: never[]) => T;
  /** Recognises instances instead of `instanceof type` (a base class whose subclasses register apart). */
  readonly matches?: (value: object) => boolean;
  /** One instance in messages. @default `a ${name}` */
  readonly what?: string;
  /**
   * Why it cannot be sent and what to do instead: `'a Thread belongs to the thread that created it.
   * Join it there …'` (no final period).
   */
  readonly advice: string;
}

/** Registers a thread-bound class: sending an instance to another thread then throws a DataCloneError. */
export function registerThreadBound<T extends object>(bound: ThreadBound<T>): void {
  const what = bound.what ?? `a ${bound.name}`;
  registerShareable<T>({
    name: bound.name,
    kind: 'thread-bound',
    type: bound.type,
    ...(bound.matches && { matches: bound.matches }),
    what,
    advice: bound.advice,
    encode: () => {
      // Where it sat is not known here: the callers catch this and say (threadBoundFailure).
      throw new DOMException(`${expected('a value')}, got ${what}: ${bound.advice}.`, 'DataCloneError');
    },
    revive: () => {
      // Never sent (encode throws), so no tagged record names it, unless forged.
      throw new TypeError(`Cannot revive ${what}: it belongs to the thread that created it`);
    },
  });
}

/** The start of every message: what the value was expected to be. */
function expected(where: string): string {
  return `Expected ${where} to be sendable to another thread`;
}

/** A thread-bound object found in a value: its description, its path, and the advice of its class. */
interface Found {
  readonly what: string;
  readonly advice: string;
  readonly path: string;
}

/** The first thread-bound object in `roots`, depth first, in the order the codec's walk meets them. */
export function findThreadBound(roots: readonly Root[]): Found | undefined {
  const found = findInValue(roots, {
    before: (v) => {
      if (v === null || typeof v !== 'object') return undefined;
      const codec = threadBoundCodec(v);
      return codec && { what: codec.what ?? `a ${codec.name}`, advice: codec.advice ?? '' };
    },
  });
  return found && { ...found.match, path: found.path };
}

/**
 * What encoding `roots` for another thread threw (`err`), said with where: for the DataCloneError of a
 * thread-bound object, a DataCloneError whose message names its path and class, why it cannot be sent
 * and what to do instead; anything else (a getter's error), or one whose culprit is not found, passes
 * unchanged.
 *
 * @param where - the words for the culprit at `path` (default: the path in backquotes), as in
 *   "Expected `args[0].t` to be sendable…" or "Expected `result.t` in the returned value to be…"
 */
export function threadBoundFailure(
  err: unknown,
  roots: readonly Root[],
  where: (path: string) => string = (path) => `\`${path}\``,
): unknown {
  if ((err as { name?: unknown } | null)?.name !== 'DataCloneError') return err;
  const found = findThreadBound(roots);
  if (found === undefined) return err;
  return new DOMException(
    `${expected(where(found.path))}, got ${found.what}: ${found.advice}.`,
    'DataCloneError',
  );
}
