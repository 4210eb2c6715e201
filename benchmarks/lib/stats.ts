// Small statistics helpers for repeated runs.

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('Expected at least one value, got none');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Worker counts to measure: powers of two up to `limit`, plus `cores` itself. */
export function workerCounts(cores: number, limit: number): number[] {
  const counts = new Set<number>();
  for (let n = 1; n <= limit; n *= 2) counts.add(n);
  if (cores <= limit) counts.add(cores);
  return [...counts].sort((a, b) => a - b);
}
