// What a worker reported for a thread or a task, revived on the side that waits for it. A value that
// cannot be revived here (a primitive whose module this thread never loaded) fails that one thread or
// task; it never throws out of the message handler that received it, which would end the process.
import { decode } from '../internal/codec.js';
import type { StackHolder } from './callsite.js';
import { reviveError, unrevivable } from '../internal/error-codec.js';

/** How a thread or task ended: its result or its error. */
export type Outcome<R> =
  { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

/**
 * Revives a reported outcome: `ok` with the encoded result, or not with the serialized error. Never
 * throws: a result that cannot be revived becomes the failure (the codec's error, naming what to
 * import), with `callerStack` (where the caller waited) as its frames.
 */
export function reviveOutcome<R>(
  ok: boolean,
  value: unknown,
  callerStack: StackHolder | undefined,
): Outcome<R> {
  if (!ok) return { ok, error: reviveError(value, callerStack) };
  try {
    return { ok, value: decode(value) as R };
  } catch (failure) {
    return { ok: false, error: unrevivable(failure, callerStack) };
  }
}
