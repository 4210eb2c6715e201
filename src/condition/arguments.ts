// The argument errors of Condition's waits, which take the mutex's guard first: (guard, timeoutMs),
// (guard, predicate, timeoutMs), (guard, options), (guard, predicate, options). A call that leaves the
// guard out shifts every argument one place, and the plain "Expected `predicate` to be a function,
// got an object" that follows would not say why; these messages say what goes where. Only the error
// paths run this file's code.
import { describe, isPlainObject } from '../internal/validate.js';

/** The waits of a Condition, with the call each expects. */
const USAGE = {
  wait: 'cond.wait(guard, timeoutMs)',
  waitFor: 'cond.waitFor(guard, predicate, timeoutMs)',
  waitAsync: 'cond.waitAsync(guard, { signal, timeoutMs })',
  waitForAsync: 'cond.waitForAsync(guard, predicate, { signal, timeoutMs })',
} as const;

/** A wait of a Condition, by method name. */
export type ConditionWait = keyof typeof USAGE;

/** For checkTimeout's message: the sync waits take the timeout as a number. */
export const WAIT_TIMEOUT_USAGE = 'cond.wait(guard, 100)';
/** For checkTimeout's message: the sync waits take the timeout as a number. */
export const WAIT_FOR_TIMEOUT_USAGE = 'cond.waitFor(guard, predicate, 100)';

/** The TypeError for a `guard` that is not a MutexGuard at all (see Condition's #checkHeld). */
export function guardError(guard: unknown, method: ConditionWait): TypeError {
  const what =
    typeof guard === 'function'
      ? ' (the predicate?)'
      : typeof guard === 'number'
        ? ' (the timeout?)'
        : isPlainObject(guard)
          ? ' (the options?)'
          : '';
  return new TypeError(
    `Expected \`guard\` to be a MutexGuard, got ${describe(guard)}${what}; Condition.${method}() takes the guard that \`mutex.lock()\` returned first: ${USAGE[method]}`,
  );
}

/**
 * The TypeError for a `predicate` that is not a function. When `guard` is a function, the guard was
 * left out and the predicate sits in its place: that is the error reported.
 */
export function predicateError(
  guard: unknown,
  predicate: unknown,
  method: 'waitFor' | 'waitForAsync',
): TypeError {
  if (typeof guard === 'function') return guardError(guard, method);
  const options = method === 'waitFor' ? 'the timeout goes third' : 'the options go third';
  const hint =
    isPlainObject(predicate) || typeof predicate === 'number' ? `; ${options}: ${USAGE[method]}` : '';
  return new TypeError(`Expected \`predicate\` to be a function, got ${describe(predicate)}${hint}`);
}
