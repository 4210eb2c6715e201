// Result files (benchmarks/results/<suite>.json), the console table, and BENCHMARKS.md with its SVG
// charts, generated from whatever result files exist (so suites can be re-run one at a time).
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeMachine, type MachineInfo } from './machine.js';
import { formatTick, renderLineChart } from './svg-chart.js';
import type { BenchChart, BenchRatio, BenchResult, BenchRow } from './types.js';

/** The content of benchmarks/results/<suite>.json. */
export interface SuiteResultFile extends BenchResult {
  readonly suite: string;
  readonly profile: 'quick' | 'full';
  readonly machine: MachineInfo;
  /** ISO date the suite started. */
  readonly date: string;
  readonly durationS: number;
  /** Set by `--smoke`: tiny durations, so the numbers are not measurements. */
  readonly smoke?: boolean;
  /**
   * Set by `--cores N`: worker counts were sized for N cores, but the threads ran on `machine.cores`
   * (which stays the real count).
   */
  readonly simulatedCores?: number;
}

/** Why a result is not a measurement (smoke run, simulated cores), or undefined for a real one. */
export function notAMeasurement(
  r: Pick<SuiteResultFile, 'smoke' | 'simulatedCores' | 'machine'>,
): string | undefined {
  const why: string[] = [];
  if (r.smoke === true) why.push('a smoke run (tiny durations)');
  if (r.simulatedCores !== undefined) {
    why.push(`sized for ${r.simulatedCores} simulated cores on this ${r.machine.cores}-core machine`);
  }
  return why.length === 0 ? undefined : why.join(', ');
}

/**
 * The name a result is stored under: the suite, plus the Node major when it is not the oldest supported
 * one (20), so a run on another Node lands beside the default one instead of replacing it
 * (e.g. `threadlocal-node24.json`).
 */
export function resultKey(result: Pick<SuiteResultFile, 'suite' | 'machine'>): string {
  const major = /^v?(\d+)/.exec(result.machine.node)?.[1];
  return major === undefined || major === '20' ? result.suite : `${result.suite}-node${major}`;
}

/** Writes the result file atomically (through a .tmp.json that git ignores). */
export async function writeResultFile(dir: string, result: SuiteResultFile): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${resultKey(result)}.json`);
  const tmp = path.join(dir, `${resultKey(result)}.tmp.json`);
  await writeFile(tmp, JSON.stringify(result, null, 2) + '\n');
  await rename(tmp, file);
  return file;
}

export async function readResultFiles(dir: string): Promise<SuiteResultFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const files = names.filter((n) => n.endsWith('.json') && !n.endsWith('.tmp.json')).sort();
  return Promise.all(
    files.map(async (n) => JSON.parse(await readFile(path.join(dir, n), 'utf8')) as SuiteResultFile),
  );
}

/** A value with its unit, readable: '12.3M ops/s', '16.2M acquire+release/s', '0.85 ms', '1.42x'. */
export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return String(value);
  // Every rate (ops/s, tasks/s, generations/s, ...) gets k/M/G: 16200000 is hard to read in a table.
  if (unit.endsWith('/s')) return `${formatTick(value)} ${unit}`;
  if (unit === 'x') return `${value.toFixed(2)}x`;
  return `${Number(value.toPrecision(3))} ${unit}`;
}

function formatParams(params: BenchRow['params']): string {
  if (params === undefined) return '';
  return Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`)
    .join(', ');
}

function ratioValue(r: BenchRatio): string {
  if (r.skipped !== undefined) return `skipped: ${r.skipped}`;
  // NaN is stored as null in the results JSON.
  if (typeof r.value !== 'number' || !Number.isFinite(r.value)) return String(r.value);
  return r.unit === undefined || r.unit === 'x' ? `${r.value.toFixed(2)}x` : formatValue(r.value, r.unit);
}

function verdict(r: BenchRatio): string {
  if (r.pass === undefined) return '';
  return r.pass ? 'pass' : 'MISS';
}

/** Plain-text table for the terminal. */
export function consoleTable(result: BenchResult): string {
  const rows = result.rows.map((r) => [r.case, r.impl, formatParams(r.params), formatValue(r.value, r.unit)]);
  const ratios = result.ratios.map((r) => [r.label, ratioValue(r), r.target ?? '', verdict(r)]);
  return [
    pad([['case', 'impl', 'params', 'value'], ...rows]),
    '',
    pad([['ratio', 'value', 'target', ''], ...ratios]),
  ].join('\n');
}

function pad(table: string[][]): string {
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => (row[c] ?? '').length)));
  return table
    .map((row) =>
      row
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** File-name-safe slug. */
function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** The SVG files of one suite's charts, as [file name, svg text]. */
export function chartFiles(result: SuiteResultFile): [string, string][] {
  return (result.charts ?? []).map((chart) => [
    `${resultKey(result)}-${slug(chart.case)}.svg`,
    renderLineChart(toLineChart(result.rows, chart, chartSubtitle(result))),
  ]);
}

/**
 * Where and when a chart was measured, drawn under its title: the charts of a suite on two Node
 * versions (or two machines) look alike, and a chart file can be opened on its own.
 */
export function chartSubtitle(r: SuiteResultFile): string {
  const where = `Node ${r.machine.node}, ${r.machine.cores} cores, ${r.date.slice(0, 10)}, ${r.profile} profile`;
  const fake = [
    ...(r.smoke === true ? ['smoke run'] : []),
    ...(r.simulatedCores === undefined ? [] : [`sized for ${r.simulatedCores} simulated cores`]),
  ];
  return fake.length === 0 ? where : `NOT A MEASUREMENT (${fake.join(', ')}): ${where}`;
}

function toLineChart(rows: readonly BenchRow[], chart: BenchChart, subtitle: string) {
  const byImpl = new Map<string, [number, number][]>();
  for (const r of rows) {
    const x = r.params?.[chart.xParam];
    if (r.case !== chart.case || typeof x !== 'number') continue;
    byImpl.set(r.impl, [...(byImpl.get(r.impl) ?? []), [x, r.value]]);
  }
  return {
    title: chart.title,
    subtitle,
    xLabel: chart.xParam,
    yLabel: chart.yLabel,
    series: [...byImpl].map(([name, points]) => ({ name, points })),
  };
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** Suites by name, each suite's runs from the oldest Node major up (file names sort node24 first). */
function inReportOrder(results: readonly SuiteResultFile[]): SuiteResultFile[] {
  const major = (r: SuiteResultFile): number => Number(/^v?(\d+)/.exec(r.machine.node)?.[1] ?? 0);
  return [...results].sort((a, b) =>
    a.suite === b.suite ? major(a) - major(b) : a.suite < b.suite ? -1 : 1,
  );
}

/** The machine without its load: two results with the same one ran on the same hardware and OS. */
function hardware(m: MachineInfo): string {
  return `${m.cores} cores (${m.cpuModel}), ${m.totalMemGiB} GiB, ${m.platform} ${m.arch}`;
}

/**
 * A table of the runs the report is made of, and a warning when they differ in machine, Node version
 * or day: each `npm run bench --only <suite>` replaces one result file and keeps the others, so one
 * report can hold a fresh run on this machine beside older ones from elsewhere.
 */
function runsTable(results: readonly SuiteResultFile[]): string[] {
  if (results.length === 0) return [];
  const out = [
    '## Runs in this report',
    '',
    '| section | measured | machine | profile | load average at start |',
    '|---|---|---|---|---:|',
  ];
  for (const r of results) {
    const fake = notAMeasurement(r) === undefined ? '' : ' (not a measurement)';
    out.push(
      `| ${r.suite} (Node ${r.machine.node}) | ${r.date.slice(0, 10)} | ${mdEscape(hardware(r.machine))} | ${r.profile}${fake} | ${r.machine.loadAvg1m} |`,
    );
  }
  out.push('');
  const count = (key: (r: SuiteResultFile) => string): number => new Set(results.map(key)).size;
  const machines = count((r) => hardware(r.machine));
  const nodes = count((r) => r.machine.node);
  const days = count((r) => r.date.slice(0, 10));
  if (machines > 1 || nodes > 1 || days > 1) {
    const parts = [
      `${machines} machine${machines === 1 ? '' : 's'}`,
      `${nodes} Node version${nodes === 1 ? '' : 's'}`,
      `${days} day${days === 1 ? '' : 's'}`,
    ];
    out.push(
      `> **Separate runs:** these sections come from ${parts.join(', ')} (the table above). Each ratio`,
      '> compares implementations measured side by side within one section; numbers in different sections',
      '> come from different runs and are not comparable.',
      '',
    );
  }
  return out;
}

/** BENCHMARKS.md from all result files; chart images are referenced under `chartDir` (relative). */
export function renderMarkdown(results: readonly SuiteResultFile[], chartDir: string): string {
  const out: string[] = [
    '# Benchmarks',
    '',
    'Generated by `npm run bench` (`benchmarks/run.ts`) from `benchmarks/results/*.json`; do not edit by hand.',
    'Re-render without re-running: `node --import tsx benchmarks/run.ts --report`. Profiles: the default quick',
    'profile (a few minutes on 2 cores) and `--full` (more workers, longer runs, for big machines).',
    'Every comparison is measured side by side in the same run; absolute numbers depend on the machine.',
    '',
  ];
  const ordered = inReportOrder(results);
  out.push(...runsTable(ordered));
  for (const r of ordered) {
    out.push(
      // Always the Node version: the sections of one suite on two Node versions must not read as one.
      `## ${r.suite} (Node ${r.machine.node})`,
      '',
      `Measured ${r.date.slice(0, 10)} on ${describeMachine(r.machine)}; ${r.profile} profile, ${Math.round(r.durationS)} s.`,
      '',
    );
    const fake = notAMeasurement(r);
    if (fake !== undefined) {
      out.push(
        `> **Not a measurement:** ${fake}; this only shows that the harness ran every case end to end.`,
        '',
      );
    }
    if (r.machine.loadAvg1m > r.machine.cores / 2) {
      out.push(
        `> **Busy machine:** the load average (${r.machine.loadAvg1m}) was high for ${r.machine.cores} cores when this ran, so`,
        '> other processes competed with the benchmark threads; treat these timings as noise and re-run on a quiet machine.',
        '',
      );
    }
    for (const note of r.notes ?? []) out.push(`**Note:** ${note}`, '');
    if (r.ratios.length > 0) {
      out.push('### Headline ratios', '', '| ratio | value | target | |', '|---|---:|---|---|');
      for (const x of r.ratios) {
        out.push(
          `| ${mdEscape(x.label)} | ${mdEscape(ratioValue(x))} | ${mdEscape(x.target ?? '')} | ${verdict(x)} |`,
        );
      }
      out.push('');
    }
    for (const [file, chart] of chartFiles(r).map(([f], i) => [f, r.charts![i]!] as const)) {
      out.push(`![${chart.title}](${chartDir}/${file})`, '');
    }
    out.push('### All measurements', '', '| case | impl | params | value |', '|---|---|---|---:|');
    for (const row of r.rows) {
      out.push(
        `| ${mdEscape(row.case)} | ${mdEscape(row.impl)} | ${mdEscape(formatParams(row.params))} | ${formatValue(row.value, row.unit)} |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}
