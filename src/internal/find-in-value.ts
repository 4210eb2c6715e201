// The value walk behind the errors that say where inside a value the culprit sat: an argument a Thread
// cannot clone (src/thread/clone-failure.ts), shared memory put in a Queue (unclonable.ts). It goes
// depth first, in the order a serializer meets things: arrays, own enumerable properties, Map keys and
// values, Set members; not into typed arrays and ArrayBuffers. Each place is named by its path from
// the root (`args[1].onDone`, `value["a b"][0] (a Map key)`). Only error paths run this file's code.

/** The most objects looked at: a huge value that failed is not walked whole. */
const MAX_VISITS = 10_000;

/** An identifier, written after a dot in a path; any other key is written in brackets, quoted. */
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** A value to walk and its path in messages (`'value'`, `'args[0]'`). */
export type Root = readonly [value: unknown, path: string];

/** What {@link findInValue} looks for, and what it leaves alone. */
export interface ValueTest<T> {
  /** Asked of every value met (an object once, before its contents): a result ends the walk there. */
  readonly before: (value: unknown) => T | undefined;
  /**
   * Asked of an object (not a Map, Set, typed array or ArrayBuffer) whose own properties held no
   * match: a result ends the walk there.
   */
  readonly after?: (value: object) => T | undefined;
  /** Objects not looked at nor into (they count towards the limit on objects looked at). */
  readonly skip?: readonly unknown[];
}

/**
 * The first match of `test` in `roots`, in turn, and its path; undefined when none is found among
 * the first MAX_VISITS objects.
 */
export function findInValue<T>(
  roots: readonly Root[],
  test: ValueTest<T>,
): { readonly match: T; readonly path: string } | undefined {
  const seen = new Set<unknown>(test.skip);
  const visit = (v: unknown, path: string): { match: T; path: string } | undefined => {
    if (v !== null && typeof v === 'object') {
      if (seen.has(v) || seen.size >= MAX_VISITS) return undefined;
      seen.add(v);
    }
    const match = test.before(v);
    if (match !== undefined) return { match, path };
    if (v === null || typeof v !== 'object') return undefined;
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return undefined;
    if (v instanceof Map) {
      let i = 0;
      for (const [k, item] of v) {
        const found = visit(k, `${path} (a Map key)`) ?? visit(item, `${path} (Map entry ${i})`);
        if (found) return found;
        i++;
      }
      return undefined;
    }
    if (v instanceof Set) {
      for (const item of v) {
        const found = visit(item, `${path} (a Set member)`);
        if (found) return found;
      }
      return undefined;
    }
    // Structured clone copies the own enumerable properties of arrays, plain objects and class
    // instances alike: a match among them is named by its path.
    for (const [key, item] of Object.entries(v)) {
      const step = Array.isArray(v)
        ? `[${key}]`
        : IDENTIFIER.test(key)
          ? `.${key}`
          : `[${JSON.stringify(key)}]`;
      const found = visit(item, path + step);
      if (found) return found;
    }
    const after = test.after?.(v);
    return after === undefined ? undefined : { match: after, path };
  };
  for (const [value, path] of roots) {
    const found = visit(value, path);
    if (found) return found;
  }
  return undefined;
}
