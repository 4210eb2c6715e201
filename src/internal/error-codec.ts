// Errors crossing the thread boundary. Structured clone keeps little of an error (no cause on
// Node 20, no own properties, no subclass name), so the worker turns what it throws into a plain
// record and the caller rebuilds an error of the same built-in class from it, with the worker's stack
// followed by the caller's. threadkit's own errors (NotOwnerError, TimeoutError, ...) are rebuilt as
// instances of their class, of the build that revives them (see src/internal/error-classes.ts).
// An error sitting in a value (a thread's result or args, a pool task's, a Queue's item) travels the
// same way, whoever's class it is: {@link encodeErrors} hands every error in it to this module.
//
// Here in src/internal/ rather than in src/thread/ because a Queue carries errors this way too
// (serialize.ts): importing 'threadkit/queue' registers this codec without loading the thread module.
import { ThreadkitError } from '../errors.js';
import {
  carriedByCodec,
  encode,
  encodeForSerializer,
  decode,
  registerShareable,
  type ShareableCodec,
} from './codec.js';
import { errorClassNamed, threadkitClassName } from './error-classes.js';
import type { StackHolder } from '../thread/callsite.js';
import { isSuppressedError, NativeSuppressedError as NativeSuppressed } from './suppressed-error.js';
import { defineOwn } from './own-property.js';
import { cloneable } from './validate.js';

/** Tag on a serialized error record; anything else that arrives as a rejection was thrown as-is. */
const ERROR_TAG = '__threadkit_error__';
/** How deep `cause` / `errors` chains are followed before the rest is cut off. */
const MAX_DEPTH = 8;

/** A thrown value as it travels: a serialized error or the thrown non-error itself. */
export interface SerializedError {
  readonly [ERROR_TAG]: true;
  /** Built-in constructor to rebuild with ('Error' for user-defined subclasses). */
  readonly ctor: string;
  /**
   * The threadkit error class to rebuild with, where it is an instance of one (of any build): its
   * registered name, such as 'NotOwnerError'. Taken from the prototype chain, never from `name` or
   * `code`: a user's error that only shares them stays an Error.
   */
  readonly threadkit: string | undefined;
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly hasCause: boolean;
  readonly cause?: unknown;
  readonly errors?: unknown[];
  readonly props: Record<string, unknown>;
}

const BUILT_INS: Record<string, new (message?: string) => Error> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

function builtInName(err: Error): string {
  if (err instanceof AggregateError) return 'AggregateError';
  if (NativeSuppressed && err instanceof NativeSuppressed) return 'SuppressedError';
  if (typeof DOMException !== 'undefined' && err instanceof DOMException) return 'DOMException';
  for (const [name, ctor] of Object.entries(BUILT_INS)) {
    if (Object.getPrototypeOf(err) === ctor.prototype) return name;
  }
  // A user-defined subclass: rebuilt from its nearest built-in ancestor, keeping its `name`.
  for (const [name, ctor] of Object.entries(BUILT_INS)) {
    if (name !== 'Error' && err instanceof ctor) return name;
  }
  return 'Error';
}

/**
 * The errors being serialized: one met again inside its own properties (`err.all = [err]`, reached
 * through the codec) is cut off, as a chain past MAX_DEPTH is.
 */
const serializing = new Set<Error>();

/** What {@link encodePart} returns for a part of an error that cannot be sent. */
const NOT_SENT = Symbol('not sent');

/**
 * {@link encodeErrors} for a part of a thrown error (its own properties, its cause, a thrown
 * non-error): NOT_SENT where the codec refuses a thread-bound object in it (an OwnerDiedError's guard:
 * see thread-bound.ts). The error is sent without that part, as without a part that structured clone
 * refuses, rather than failing in place of what was thrown.
 */
function encodePart(value: unknown): unknown {
  try {
    return encodeErrors(value);
  } catch (err) {
    if ((err as { name?: unknown } | null)?.name === 'DataCloneError') return NOT_SENT;
    throw err;
  }
}

/** Turns a thrown value into something `postMessage` can carry. */
export function serializeError(thrown: unknown, depth = 0): unknown {
  if (!(thrown instanceof Error)) {
    const enc = encodePart(thrown);
    return enc !== NOT_SENT && cloneable(enc) ? enc : String(thrown);
  }
  if (depth > MAX_DEPTH || serializing.has(thrown)) return String(thrown);
  serializing.add(thrown);
  try {
    return serializeErrorObject(thrown, depth);
  } finally {
    serializing.delete(thrown);
  }
}

function serializeErrorObject(thrown: Error, depth: number): SerializedError {
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(thrown)) {
    if (key === 'cause' || key === 'errors' || key === 'stack' || key === 'message') continue;
    const value: unknown = (thrown as unknown as Record<string, unknown>)[key];
    const enc = value instanceof Error ? serializeError(value, depth + 1) : encodePart(value);
    if (enc !== NOT_SENT && cloneable(enc)) defineOwn(props, key, enc);
  }
  if (isSuppressedError(thrown)) {
    const { error, suppressed } = thrown as Error & { error: unknown; suppressed: unknown };
    props.error = serializeError(error, depth + 1);
    props.suppressed = serializeError(suppressed, depth + 1);
  }
  const ctor = builtInName(thrown);
  const hasCause = 'cause' in thrown;
  return {
    [ERROR_TAG]: true,
    ctor,
    threadkit: threadkitClassName(thrown),
    name: thrown.name,
    message: thrown.message,
    stack: thrown.stack,
    hasCause,
    cause: hasCause ? serializeError(thrown.cause, depth + 1) : undefined,
    errors:
      thrown instanceof AggregateError
        ? (thrown.errors as unknown[]).map((e) => serializeError(e, depth + 1))
        : undefined,
    props,
  } satisfies SerializedError;
}

function isSerializedError(value: unknown): value is SerializedError {
  return (
    typeof value === 'object' && value !== null && (value as Record<string, unknown>)[ERROR_TAG] === true
  );
}

/** Drops the first line (`Name: message`) of a stack, keeping its frames. */
function framesOf(stack: string | undefined): string {
  if (!stack) return '';
  const nl = stack.indexOf('\n    at ');
  return nl === -1 ? '' : stack.slice(nl + 1);
}

/**
 * Rebuilds what the worker threw. `callerStack` (a stack captured where the caller waited for the
 * result) is appended below the worker's frames. Never throws: where part of it cannot be revived in
 * this thread (a primitive whose module is not loaded here: see {@link decode}), the outcome is the
 * codec's error saying so, with the error the worker threw, rebuilt without that part, as its cause.
 */
export function reviveError(value: unknown, callerStack?: StackHolder): unknown {
  const failures: unknown[] = [];
  const revived = rebuildError(value, failures, callerStack);
  if (failures.length === 0) return revived;
  return unrevivable(failures[0], callerStack, isSerializedError(value) ? { thrown: revived } : undefined);
}

/**
 * The failure that a value the codec cannot revive here (`failure`, its error) turns into, for the one
 * task or thread whose value it was: that error, with the frames of the caller that waited for the
 * value in place of the codec's own. `inside`: the error the worker threw, when the value was part of
 * it; the failure then names it, and keeps it as its cause.
 */
export function unrevivable(
  failure: unknown,
  callerStack?: StackHolder,
  inside?: { thrown: unknown },
): unknown {
  if (!(failure instanceof Error)) return failure;
  let err = failure;
  if (inside) {
    const { thrown } = inside;
    const what = thrown instanceof Error ? `the ${thrown.name} the thread threw` : 'what the thread threw';
    err = new TypeError(`${failure.message}; it was part of ${what} (this error's cause)`, { cause: thrown });
  }
  const callerFrames = framesOf(callerStack?.stack);
  Object.defineProperty(err, 'stack', {
    value: callerFrames ? `${err.name}: ${err.message}\n${callerFrames}` : `${err.name}: ${err.message}`,
    writable: true,
    configurable: true,
  });
  return err;
}

/** What {@link rebuildError} returns for a part it could not revive. */
const FAILED = Symbol('failed');

/**
 * {@link reviveError}'s work: a part that cannot be revived is left out (an `errors` member becomes
 * `undefined`), and its error added to `failures`.
 */
function rebuildError(value: unknown, failures: unknown[], callerStack?: StackHolder): unknown {
  if (!isSerializedError(value)) {
    try {
      return decode(value);
    } catch (failure) {
      failures.push(failure);
      return FAILED;
    }
  }
  let err: Error;
  if (value.ctor === 'AggregateError') {
    err = new AggregateError(
      (value.errors ?? []).map((e) => {
        const member = rebuildError(e, failures);
        return member === FAILED ? undefined : member;
      }),
      value.message,
    );
  } else if (value.ctor === 'SuppressedError' && NativeSuppressed) {
    // `error` and `suppressed` are set from props below (they stay non-enumerable, as specified).
    err = new NativeSuppressed(undefined, undefined, value.message);
  } else if (value.ctor === 'DOMException' && typeof DOMException !== 'undefined') {
    err = new DOMException(value.message, value.name);
  } else {
    const own = value.threadkit === undefined ? undefined : errorClassNamed(value.threadkit);
    // A threadkit error: an Error (with the engine's error internals, as `new` makes it) whose
    // prototype is its class's, without running a constructor; `code` and the class's other fields
    // come with the own properties below, as they were.
    err = own
      ? (Reflect.construct(Error, [value.message], own) as Error)
      : new (BUILT_INS[value.ctor] ?? Error)(value.message);
  }
  if (err.name !== value.name && !Object.hasOwn(value.props, 'name')) {
    Object.defineProperty(err, 'name', { value: value.name, writable: true, configurable: true });
  }
  const cause = value.hasCause ? rebuildError(value.cause, failures) : FAILED;
  if (cause !== FAILED) {
    Object.defineProperty(err, 'cause', { value: cause, writable: true, configurable: true });
  }
  for (const [key, prop] of Object.entries(value.props)) {
    const revived = rebuildError(prop, failures);
    if (revived === FAILED) continue;
    try {
      // Defined, not assigned: a setter that Object.prototype has for the key must not run.
      defineOwn(err, key, revived);
    } catch {
      // A property the rebuilt error has and cannot redefine: it already has its value.
    }
  }
  const callerFrames = framesOf(callerStack?.stack);
  const stack = value.stack ?? `${value.name}: ${value.message}`;
  Object.defineProperty(err, 'stack', {
    value: callerFrames ? `${stack}\n    --- in the thread above, started from ---\n${callerFrames}` : stack,
    writable: true,
    configurable: true,
  });
  return err;
}

/**
 * A threadkit error inside a value (a result, args): the codec carries it as this module serializes a
 * thrown one, and revives it as an instance of its class, with the worker's stack as it was. Recognised
 * in whichever build it was made (error-classes.ts), not only as an instance of this build's classes.
 * {@link encodeErrors} hands it every other error too.
 */
const errorCodec: ShareableCodec<Error> = {
  name: 'ThreadkitError',
  kind: 'error',
  type: ThreadkitError,
  matches: (value) => value instanceof Error && threadkitClassName(value) !== undefined,
  encode: (err) => serializeError(err),
  revive: (data) => {
    const failures: unknown[] = [];
    const err = rebuildError(data, failures);
    // As for any value the codec cannot revive here: the task or thread it came with fails with it.
    if (failures.length > 0) throw failures[0];
    return err as Error;
  },
};
registerShareable(errorCodec);

/**
 * {@link encode} for every value that crosses a thread boundary (a thread's or a pool task's args and
 * result, a Queue's values; a thrown non-error, and an error's own properties): every error inside
 * `value` (at the top, or in its arrays, objects, Maps and Sets), not only threadkit's, becomes a
 * record of its class, name, message, stack, cause and own properties, which {@link decode} revives,
 * as a thrown error crosses from a thread. Structured clone alone would keep only the class of a
 * built-in and its message. Returns `value` itself when it holds no error, primitive or lookalike
 * record: then there is nothing to decode.
 */
export function encodeErrors(value: unknown): unknown {
  return encode(value, errorCodec);
}

/**
 * {@link encodeErrors} for a value that a serializer walks next (a Queue's), by the codec's
 * `encodeForSerializer`: `holds` is what a walk over it already found (see {@link carriedAsError}),
 * or undefined where none did. `tagged`: whether the result needs {@link decode}.
 */
export function encodeErrorsForSerializer(
  value: unknown,
  holds: boolean | undefined,
  isProxy?: (value: object) => boolean,
): { readonly value: unknown; readonly tagged: boolean } {
  return encodeForSerializer(value, errorCodec, holds, isProxy);
}

/**
 * Whether {@link encodeErrors} carries `value`, an object that is neither a plain object nor an
 * array, through the codec: any error, or a registered primitive.
 */
export function carriedAsError(value: object): boolean {
  return carriedByCodec(value, errorCodec);
}
