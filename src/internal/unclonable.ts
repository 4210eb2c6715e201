// The error for a value that a Queue cannot copy because it holds shared memory: a SharedArrayBuffer,
// or a threadkit primitive (whose state lives in one). The runtime's own message ("#<SharedArrayBuffer>
// could not be cloned") says neither where it sat in the value nor what to do instead. Only the error
// path runs this file's code: serialize.ts (and its browser build) call it once encoding has failed.
import { shareableName } from './codec.js';
import { findInValue } from './find-in-value.js';

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
