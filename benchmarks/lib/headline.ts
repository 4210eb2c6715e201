// The headline table in README.md (between its bench:headline markers), generated from the result files
// of the oldest supported Node (the ones BENCHMARKS.md opens each suite with), so the README never quotes
// numbers of a run that the results no longer hold. `npm run bench` and `--report` rewrite it; a test
// checks that the committed README matches the committed results.
import type { SuiteResultFile } from './report.js';
import { resultKey } from './report.js';

export const HEADLINE_START = '<!-- bench:headline -->';
export const HEADLINE_END = '<!-- bench:headline:end -->';

/** One row of the table: the ratios it shows (by label pattern in one suite) and how. */
interface Headline {
  readonly what: string | ((cores: string) => string);
  readonly suite: string;
  /** Label patterns; several give a cell like `0.97× / 1.04×`. */
  readonly labels: readonly RegExp[];
  readonly target: string | ((cores: string) => string);
  /** How a ratio reads: `cost` marks a time ratio (lower is better) whose label does not say so. */
  readonly suffix?: string;
  /** Turns the stored value into the one shown (the CPU-bound ratio is stored per thread). */
  readonly scale?: (value: number, result: SuiteResultFile) => number;
}

const HEADLINES: readonly Headline[] = [
  {
    what: 'ThreadPool tiny-task throughput vs piscina',
    suite: 'thread',
    labels: [/^pool tiny-task throughput vs piscina/],
    target: '≥ 3×',
  },
  {
    what: 'ThreadPool tiny-task throughput vs threads.js',
    suite: 'thread',
    labels: [/^pool tiny-task throughput vs threads\.js/],
    target: '',
  },
  {
    what: 'ThreadPool one-at-a-time median latency vs best peer',
    suite: 'thread',
    labels: [/^pool tiny-task median latency vs best peer/],
    target: '< 1×',
  },
  {
    what: '`Thread` start + join vs a raw `Worker`',
    suite: 'thread',
    labels: [/^Thread start\+join vs raw Worker$/],
    target: '≤ 1.5×',
  },
  {
    what: (n) => `CPU-bound speedup, ${n} threads on ${n} cores`,
    suite: 'thread',
    labels: [/^CPU-bound speedup on \d+ threads \/ \d+$/],
    target: (n) => (n === 'N' ? '≥ 0.9·N' : `≥ ${times(0.9 * Number(n))}`),
    scale: (value, r) => value * r.machine.cores,
  },
  {
    what: 'uncontended `lock()` + `unlock()` vs raw `Atomics` CAS + sub',
    suite: 'mutex',
    labels: [/^threadkit lock\(\) \+ unlock\(\) cost vs raw Atomics/],
    target: '≤ 1.5×',
    suffix: ' (cost)',
  },
  {
    what: '`withLockAsync` vs async-mutex `runExclusive` (speed)',
    suite: 'mutex',
    labels: [/^threadkit withLockAsync\(fn\) speed vs async-mutex/],
    target: '',
  },
  {
    what: 'lock handoff latency vs raw `Atomics.wait`/`notify`',
    suite: 'mutex',
    labels: [/^handoff latency, threadkit \/ raw wait\/notify$/],
    target: '',
  },
  {
    what: '`ThreadLocal.get()` / `run()` vs raw `AsyncLocalStorage`',
    suite: 'threadlocal',
    labels: [/^get\(\): threadkit time/, /^run\(\): threadkit time/],
    target: '≤ 1.5×',
  },
];

const CONTENDED = /^contended throughput, threadkit \/ naive futex, (\d+) workers$/;

/** 2 significant decimals as the README shows ratios: `11.0×`, `0.57×`, `1.97×`. */
function times(value: number): string {
  return `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`;
}

/** The results the README quotes: real measurements on the oldest supported Node, one per suite. */
function primary(results: readonly SuiteResultFile[]): Map<string, SuiteResultFile> {
  const out = new Map<string, SuiteResultFile>();
  for (const r of results) {
    if (resultKey(r) !== r.suite || r.smoke === true || r.simulatedCores !== undefined) continue;
    out.set(r.suite, r);
  }
  return out;
}

function cell(h: Headline, r: SuiteResultFile | undefined): string {
  if (r === undefined) return 'not measured';
  const parts = h.labels.map((re) => {
    const ratio = r.ratios.find((x) => re.test(x.label));
    if (ratio === undefined) return 'not measured';
    if (ratio.skipped !== undefined || !Number.isFinite(ratio.value)) return 'skipped';
    return times(h.scale ? h.scale(ratio.value, r) : ratio.value);
  });
  return parts.join(' / ') + (h.suffix ?? '');
}

/** A markdown table with its columns padded, as the formatter lays tables out. */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(3, ...rows.map((row) => [...row[i]!].length)));
  const line = (row: readonly string[]): string =>
    `| ${row.map((c, i) => c + ' '.repeat(widths[i]! - [...c].length)).join(' | ')} |`;
  return [line(rows[0]!), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.slice(1).map(line)];
}

/** The text between the README's headline markers. */
export function renderHeadline(results: readonly SuiteResultFile[]): string {
  const bySuite = primary(results);
  const used = [...new Set(HEADLINES.map((h) => h.suite))]
    .map((s) => bySuite.get(s))
    .filter((r): r is SuiteResultFile => r !== undefined);
  if (used.length === 0) {
    return 'No benchmark results yet: `npm run bench` measures them and fills in this table.';
  }
  const m = used[0]!.machine;
  const dates = new Map<string, string[]>();
  for (const r of used) dates.set(r.date.slice(0, 10), [...(dates.get(r.date.slice(0, 10)) ?? []), r.suite]);
  const when = [...dates].map(([day, suites]) => `${suites.join(', ')} on ${day}`).join('; ');
  const loads = [...new Set(used.map((r) => r.machine.loadAvg1m))].sort((a, b) => a - b);
  const busy = used.some((r) => r.machine.loadAvg1m > r.machine.cores / 2);
  const load = loads.length === 1 ? `${loads[0]}` : `${loads[0]} to ${loads.at(-1)}`;
  const out = [
    `Headline ratios from \`npm run bench\` on a ${m.cores}-core ${m.cpuModel} machine, Node ${m.node.replace(/^v/, '')}`,
    `(${when}; load average ${load} when the run started${busy ? ', which `BENCHMARKS.md` flags as a busy machine' : ''}):`,
    '',
    ...table([
      ['what', 'ratio', 'target'],
      ...HEADLINES.map((h) => {
        const r = bySuite.get(h.suite);
        const text = (t: Headline['what']): string =>
          typeof t === 'string' ? t : t(r === undefined ? 'N' : String(r.machine.cores));
        return [text(h.what), cell(h, r), text(h.target)];
      }),
    ]),
  ];
  const mutex = bySuite.get('mutex');
  const contended = (mutex?.ratios ?? [])
    .map((x) => ({ workers: CONTENDED.exec(x.label)?.[1], value: x.value }))
    .filter((x): x is { workers: string; value: number } => x.workers !== undefined);
  if (mutex !== undefined && contended.length > 0) {
    out.push(
      '',
      `Contended Mutex throughput against a naive futex lock is ${contended.map((x) => times(x.value)).join(' / ')} at ${contended.map((x) => x.workers).join(' / ')}`,
      `workers on this ${mutex.machine.cores}-core machine (targets: ≥ 1× at every count, ≥ 2× at 2 workers).`,
      mutex.machine.cores >= 16
        ? 'The fairness target (no wait over 2 ms at 16 workers) is in `BENCHMARKS.md`.'
        : 'The 2-worker and fairness targets (no wait over 2 ms at 16 workers) need a many-core machine: see `BENCHMARKS.md` for where they were measured.',
    );
  }
  return out.join('\n');
}

/** `readme` with the text between its headline markers replaced by `headline`. */
export function withHeadline(readme: string, headline: string): string {
  const start = readme.indexOf(HEADLINE_START);
  const end = readme.indexOf(HEADLINE_END);
  if (start < 0 || end < start) {
    throw new Error(
      `README.md lacks the ${HEADLINE_START} ... ${HEADLINE_END} markers of the headline table`,
    );
  }
  return `${readme.slice(0, start + HEADLINE_START.length)}\n\n${headline}\n\n${readme.slice(end)}`;
}
