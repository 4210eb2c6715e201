// The errors for a value that cannot be copied to another thread: one that a Queue cannot copy because
// it holds shared memory (a SharedArrayBuffer, or a threadkit primitive, whose state lives in one), and
// one that structured clone refuses (a function, a symbol, a WeakMap), whether put in a Queue or passed
// to a thread (src/thread/clone-failure.ts). The runtime's own message ("() => 1 could not be cloned")
// says neither where it sat in the value nor what to do instead. Only the error path runs this file's
// code: serialize.ts (and its browser build) call it once encoding has failed.
import { shareableName } from './codec.js';
import { findInValue, type Root } from './find-in-value.js';
import { cloneable, describe, isPlainObject } from './validate.js';

/** What structured clone refused: its description (`'a function'`) and its path (`args[1].onDone`). */
export interface Unclonable {
  readonly what: string;
  readonly path: string;
}

/**
 * The first value in `roots` that structured clone refuses, depth first, in the order a serializer
 * meets them: a function or a symbol, or an object it refuses whose own properties are all fine (a
 * WeakMap, a Promise, a MessagePort not in `transfer`). Objects in `transfer` are moved, not cloned.
 */
export function findUnclonable(
  roots: readonly Root[],
  transfer: readonly unknown[] = [],
): Unclonable | undefined {
  const found = findInValue(roots, {
    before: (v) =>
      typeof v === 'function'
        ? 'a function'
        : typeof v === 'symbol'
          ? `a symbol (${v.toString()})`
          : undefined,
    after: (v) => (Array.isArray(v) || isPlainObject(v) || cloneable(v) ? undefined : describe(v)),
    skip: transfer,
  });
  return found && { what: found.match, path: found.path };
}

/**
 * The message for a value put in a Queue that structured clone refuses, naming what and where it is
 * (`value.onDone`) and what to do; undefined when no such part is found (keep the runtime's error).
 * `runtime` is the runtime's own message, kept at the end.
 */
export function unclonableMessage(value: unknown, runtime: string): string | undefined {
  const found = findUnclonable([[value, 'value']]);
  if (found === undefined) return undefined;
  const hint =
    found.what === 'a function'
      ? 'A Queue copies each value, and a function cannot be copied to another thread: put data in ' +
        'the queue, and define or import the code in the thread that gets it'
      : 'A Queue copies each value with structured clone, which cannot copy it';
  return unclonableText(`\`${found.path}\``, found.what, hint, runtime);
}

/**
 * The one wording of every "cannot be copied" error: where the value sat (`` `value.onDone` ``, the
 * returned value), what it is, what to do, and the runtime's own message at the end.
 */
export function unclonableText(where: string, what: string, hint: string, runtime: string): string {
  return `Expected ${where} to be structured-cloneable, got ${what}. ${hint}. (${runtime})`;
}

/** What was found: its description (`'a Mutex'`), its path in the value, and the primitive's name. */
interface Found {
  readonly what: string;
  readonly path: string;
  readonly primitive: string | undefined;
}

/**
 * The first SharedArrayBuffer or threadkit primitive inside `value` (itself, or in its arrays, object
 * properties, Map keys and values and Set members), depth first, in the order a serializer meets them.
 */
function findShared(value: unknown): Found | undefined {
  const found = findInValue([[value, 'value']], {
    before: (v): Omit<Found, 'path'> | undefined => {
      if (v === null || typeof v !== 'object') return undefined;
      const primitive = shareableName(v);
      if (primitive !== undefined) return { what: `a ${primitive}`, primitive };
      if (typeof SharedArrayBuffer !== 'undefined' && v instanceof SharedArrayBuffer) {
        return { what: 'a SharedArrayBuffer', primitive: undefined };
      }
      return undefined;
    },
  });
  return found && { ...found.match, path: found.path };
}

/**
 * The message for a value that could not be encoded because it holds shared memory, or undefined when
 * no SharedArrayBuffer or primitive is found in it (the failure was something else: keep its error).
 */
export function sharedMemoryMessage(value: unknown): string | undefined {
  const found = findShared(value);
  if (found === undefined) return undefined;
  const where = found.path === 'value' ? '' : ` (at ${found.path})`;
  const instead =
    found.primitive === undefined
      ? 'or send it once with postMessage: either way both threads use the same memory'
      : `or send it once with postMessage and revive it there with ${found.primitive}.from()`;
  return (
    `${found.what}${where} cannot be put in a Queue: a Queue copies each value into its shared bytes, ` +
    `so it cannot carry SharedArrayBuffers or threadkit primitives (Mutex, Semaphore, Queue, ...). ` +
    `Pass it to the thread in \`args\` instead, ${instead}`
  );
}
