// Argument checks for counts (permits, parties, latch counts, notify counts).
import { describe, misplacedOptions } from './validate.js';

/**
 * Validates an integer count in `min ..= max`, defaulting to `fallback` when undefined.
 *
 * @param usage - for the message when an options bag is passed instead, where the options go:
 *   `'the options go second: acquireAsync(1, { timeoutMs })'`
 */
export function checkCount(
  value: unknown,
  name: string,
  fallback: number,
  min = 1,
  max = 0x7fffffff,
  usage?: string,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') {
    throw new TypeError(
      `Expected \`${name}\` to be an integer, got ${describe(value)}${misplacedOptions(value, usage)}`,
    );
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`Expected \`${name}\` to be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}
