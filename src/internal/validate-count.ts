// Argument checks for counts (permits, parties, latch counts, notify counts).
import { describe } from './validate.js';

/** Validates an integer count in `min ..= max`, defaulting to `fallback` when undefined. */
export function checkCount(
  value: unknown,
  name: string,
  fallback: number,
  min = 1,
  max = 0x7fffffff,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') {
    throw new TypeError(`Expected \`${name}\` to be an integer, got ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`Expected \`${name}\` to be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}
