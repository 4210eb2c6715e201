// Shared pieces of the fuzzed-input tests: hostile argument values, and the check that a call either
// succeeds or fails with a TypeError/RangeError that names the parameter.
import fc from 'fast-check';
import { expect } from 'vitest';

/** Numbers that break naive checks. */
export const nastyNumber = fc.oneof(
  fc.constantFrom(
    NaN,
    -1,
    -0,
    0.5,
    -Infinity,
    Infinity,
    2 ** 31,
    2 ** 53,
    -(2 ** 31),
    1e308,
    Number.MIN_VALUE,
  ),
  fc.double(),
  fc.integer(),
);

/** Values of every type, weighted towards those a validator might let through. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyNumber,
  fc.anything(),
  fc.constantFrom<unknown>(
    null,
    undefined,
    '',
    '1',
    true,
    Symbol('s'),
    10n,
    [],
    {},
    () => 1,
    new ArrayBuffer(64),
    new Int32Array(16),
    new SharedArrayBuffer(2),
    new SharedArrayBuffer(64),
    new Int32Array(new SharedArrayBuffer(64)),
    Object.create(null) as object,
    new Date(0),
    new Map(),
    Promise.resolve(1),
  ),
);

/** Options bags whose fields are picked from `fields` (each maybe absent) with hostile values. */
export const nastyOptions = (fields: readonly string[]): fc.Arbitrary<unknown> =>
  fc.oneof(nastyValue, fc.dictionary(fc.constantFrom(...fields), nastyValue, { maxKeys: fields.length }));

/**
 * Calls `fn`. It may succeed (the input was valid); if it throws, the error must be a TypeError or
 * RangeError whose message names one of `params` in backquotes. Returns what `fn` returned, or
 * undefined if it threw.
 */
export function expectArgCheck<T>(fn: () => T, params: readonly string[]): T | undefined {
  try {
    return fn();
  } catch (err) {
    checkArgError(err, params);
    return undefined;
  }
}

/** Like {@link expectArgCheck} for an async call: a rejection must be an argument error. */
export async function expectArgCheckAsync<T>(
  fn: () => Promise<T>,
  params: readonly string[],
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    checkArgError(err, params);
    return undefined;
  }
}

function checkArgError(err: unknown, params: readonly string[]): void {
  if (!(err instanceof TypeError || err instanceof RangeError)) {
    expect.fail(`expected a TypeError or RangeError naming ${params.join('/')}, got ${String(err)}`);
  }
  const named = params.some((p) => err.message.includes(`\`${p}`));
  if (!named) expect.fail(`error does not name ${params.join(' or ')}: ${err.name}: ${err.message}`);
}
