// The error for an options bag with a key its API does not know (a misspelt `timeout` would otherwise be
// ignored, and the wait would never time out), with a "did you mean" for the obvious mistakes. Only the
// error path runs this file's code: checkOptions finds the unknown key itself, without allocating.

/**
 * Names that peers (Python, Node's `worker_threads`, piscina, p-queue, ...) use for one of our options,
 * lowercased. A suggestion is made only when the target is a key of the API at hand.
 */
const ALIASES: Readonly<Record<string, string>> = {
  timeout: 'timeoutMs',
  maxthreads: 'size',
  numthreads: 'size',
  threads: 'size',
  workers: 'size',
  idletimeout: 'idleTimeoutMs',
  maxqueuesize: 'maxQueue',
  workerdata: 'args',
  argv: 'args',
  // Python: ThreadPoolExecutor(max_workers=), and RLock, a "recursive lock".
  max_workers: 'size',
  maxworkers: 'size',
  recursive: 'reentrant',
};

/**
 * Edit distance with adjacent transpositions (optimal string alignment), so that `inital` and
 * `initail` are both one edit from `initial`.
 */
function editDistance(a: string, b: string): number {
  // rows[i][j]: distance between the first i characters of a and the first j of b.
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      }
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The known key that `key` is obviously a misspelling of, if there is one: the same key in another
 * case, the same key without its `Ms` unit, a peer's name for it ({@link ALIASES}), or the single
 * closest key within one edit (keys of up to 4 characters) or two (longer ones).
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const exact = known.find((k) => k.toLowerCase() === lower || k.toLowerCase() === `${lower}ms`);
  if (exact !== undefined) return exact;
  const alias = ALIASES[lower];
  if (alias !== undefined && known.includes(alias)) return alias;
  const limit = lower.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  let tied = false;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestDistance) [best, bestDistance, tied] = [k, d, false];
    else if (d === bestDistance) tied = true;
  }
  return tied ? undefined : best;
}

/** A key as the message shows it: as written when it looks like a name, JSON-quoted otherwise. */
const show = (key: string): string => (/^[\w$]+$/.test(key) ? key : JSON.stringify(key));

/**
 * The TypeError for the unknown key `key` of the options bag `name` of `where` (e.g. `Mutex.lockAsync()`):
 * ``Unknown option `timeout` in `options` of Mutex.lockAsync(); did you mean `timeoutMs`? (known: signal, timeoutMs)``
 */
export function unknownOptionError(
  key: string,
  known: readonly string[],
  name: string,
  where: string,
): TypeError {
  const suggestion = closestKey(key, known);
  return new TypeError(
    `Unknown option \`${show(key)}\` in \`${name}\` of ${where}` +
      (suggestion === undefined ? '' : `; did you mean \`${suggestion}\`?`) +
      ` (known: ${[...known].sort().join(', ')})`,
  );
}
