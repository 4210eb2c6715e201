// The error for arguments of a Thread or pool task, or for its result, that the runtime cannot
// structured-clone. Its own DataCloneError ("() => 1 could not be cloned.") says neither which argument
// (or that it was the result) nor where inside it; this finds the culprit and says both, as a Queue's error says where shared memory sat in its value
// (src/internal/unclonable.ts). The same for a thread-bound object (a Thread, a guard), which the codec
// refuses before anything is posted (src/internal/thread-bound.ts). Only the error path runs this
// file's code, but for the two encode functions' calls to the codec.
import { encodeErrors } from '../internal/error-codec.js';
import type { Root } from '../internal/find-in-value.js';
import { threadBoundFailure } from '../internal/thread-bound.js';
import { findUnclonable, unclonableText } from '../internal/unclonable.js';

/**
 * Node's words for an object that can only be moved (a MessagePort) found outside the transfer list:
 * a DataCloneError on recent Nodes, a TypeError on Node 20.
 */
const NEEDS_TRANSFER = /needs transfer/i;

/**
 * What a post of arguments that failed to clone throws: for the runtime's DataCloneError, a
 * DataCloneError (as a Queue throws, and structured clone itself) whose message names the argument
 * and the path inside it (`args[1]`, `args[0].onDone`), what it is and what to do; the same as a
 * TypeError where the runtime threw one (Node 20, for an object that needs transferring). Anything
 * else, or a failure whose culprit is not found in the arguments, passes unchanged.
 *
 * @param err - what the post threw
 * @param args - the arguments as posted (encoded by the codec: the same shape)
 * @param transfer - the objects moved rather than cloned
 * @param name - the name of the arguments' root in messages: `args[<i>]` for each argument, or
 *   (when given) this one name for the single argument (`items[3]` for a `map()` item)
 */
export function cloneFailed(
  err: unknown,
  args: unknown,
  transfer: readonly unknown[],
  name?: string,
): unknown {
  if (!Array.isArray(args)) return err;
  return explained(err, argRoots(args, name), transfer, quoted, (what, runtime) =>
    what === 'a function'
      ? 'A function cannot be sent to another thread: define it inside the thread function, or export it from a module that the thread function imports'
      : NEEDS_TRANSFER.test(runtime)
        ? 'Put it in `transfer` to move it to the thread'
        : 'Arguments are copied to the thread with structured clone, which cannot copy it',
  );
}

/**
 * What a thread or pool task whose result failed to clone on its way back rejects with: for the
 * runtime's DataCloneError (or Node 20's TypeError for a MessagePort), the same class with a message
 * that says it was the result, where inside it (`result.handlers[0].onDone`), what it is and what to
 * do. Anything else, or a failure whose culprit is not found in the result, passes unchanged.
 *
 * @param err - what posting the result threw
 * @param result - the result as posted (encoded by the codec: the same shape)
 */
export function resultCloneFailed(err: unknown, result: unknown): unknown {
  return explained(err, [[result, 'result']], [], inResult, (what) =>
    what === 'a function'
      ? 'The value a thread function returns is copied back to the caller, and a function cannot be ' +
        'sent to another thread: return data, and define or import the code where it is called'
      : 'The value a thread function returns is copied back to the caller with structured clone, ' +
        'which cannot copy it',
  );
}

/**
 * The runtime's clone failure `err` (a DataCloneError, or Node 20's TypeError for an object that needs
 * transferring) explained: the same class, with a message naming the culprit found in `roots` (`where`
 * its path reads as), what it is and `hint(what, runtime)`. Anything else, or a culprit not found,
 * passes unchanged.
 */
function explained(
  err: unknown,
  roots: readonly Root[],
  transfer: readonly unknown[],
  where: (path: string) => string,
  hint: (what: string, runtime: string) => string,
): unknown {
  const kind = (err as { name?: unknown } | null)?.name;
  const runtime = String((err as { message?: unknown } | null)?.message);
  const cloneError = kind === 'DataCloneError' || (err instanceof TypeError && NEEDS_TRANSFER.test(runtime));
  if (!cloneError) return err;
  const found = findUnclonable(roots, transfer);
  if (found === undefined) return err;
  const message = unclonableText(where(found.path), found.what, hint(found.what, runtime), runtime);
  return err instanceof TypeError
    ? new TypeError(message, { cause: err })
    : new DOMException(message, 'DataCloneError');
}

/** A path in an argument, as messages name it: `` `args[0].onDone` ``. */
const quoted = (path: string): string => `\`${path}\``;

/** A path in a result, as messages name it: the returned value, or `` `result.pool` `` in it. */
const inResult = (path: string): string =>
  path === 'result' ? 'the returned value' : `\`${path}\` in the returned value`;

/** The roots of arguments in messages: `args[<i>]` each, or `name` for the single argument. */
function argRoots(args: readonly unknown[], name: string | undefined): Root[] {
  return name === undefined ? args.map((arg, i) => [arg, `args[${i}]`] as const) : [[args[0], name]];
}

/**
 * The codec's encoding of a thread's or a pool task's arguments (error-codec.ts's `encodeErrors`).
 *
 * @param name - as for {@link cloneFailed}
 * @throws a DataCloneError naming the argument and the path inside it (`args[0].worker`, `items[3]`)
 *   for a thread-bound object (a Thread, a ThreadPool, a ThreadLocal, a guard), which cannot be sent;
 *   what a getter in them throws
 */
export function encodeArgs(args: readonly unknown[], name?: string): unknown {
  try {
    return encodeErrors(args);
  } catch (err) {
    throw threadBoundFailure(err, argRoots(args, name));
  }
}

/**
 * The codec's encoding of what a thread function returned (error-codec.ts's `encodeErrors`).
 *
 * @throws a DataCloneError saying it was the result, and where inside it (`result.pool`), for a
 *   thread-bound object (a Thread, a ThreadPool, a ThreadLocal, a guard); what a getter in it throws
 */
export function encodeResult(value: unknown): unknown {
  try {
    return encodeErrors(value);
  } catch (err) {
    throw threadBoundFailure(err, [[value, 'result']], inResult);
  }
}
