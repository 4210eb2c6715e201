// The benchmark report (benchmarks/lib/report.ts, svg-chart.ts) with the data a many-core machine
// produces: worker counts up to 128, thread counts 1..64, and results marked as smoke or simulated.
// Pure functions on synthetic results, so this runs in milliseconds; the harness end to end is in
// harness.test.ts.
import { describe, expect, it } from 'vitest';
import type { MachineInfo } from '../../benchmarks/lib/machine.js';
import {
  chartFiles,
  consoleTable,
  formatValue,
  notAMeasurement,
  renderMarkdown,
  type SuiteResultFile,
} from '../../benchmarks/lib/report.js';
import { renderLineChart, xLabelled } from '../../benchmarks/lib/svg-chart.js';
import type { BenchRow } from '../../benchmarks/lib/types.js';

const machine: MachineInfo = {
  cores: 2,
  cpuModel: 'Test CPU',
  node: 'v20.20.2',
  platform: 'linux',
  arch: 'x64',
  totalMemGiB: 24,
  loadAvg1m: 0.1,
};

/** The worker counts of a `--full` run on 64 cores (lib/stats.ts workerCounts(64, 128)). */
const FULL_64 = [1, 2, 4, 8, 16, 32, 64, 128];

function rows(caseName: string, impls: readonly string[], xs: readonly number[], param: string): BenchRow[] {
  return impls.flatMap((impl, i) =>
    xs.map((x) => ({
      case: caseName,
      impl,
      value: 1e6 * (i + 1) * Math.sqrt(x),
      unit: 'ops/s',
      higherIsBetter: true,
      params: { [param]: x },
    })),
  );
}

function result(extra: Partial<SuiteResultFile> = {}): SuiteResultFile {
  return {
    suite: 'mutex',
    profile: 'full',
    machine,
    date: '2026-01-01T00:00:00.000Z',
    durationS: 1,
    rows: [
      ...rows('contended throughput', ['threadkit', 'naive futex'], FULL_64, 'workers'),
      ...rows(
        'CPU-bound scaling',
        ['threadkit', 'raw Worker'],
        Array.from({ length: 64 }, (_, i) => i + 1),
        'threads',
      ),
    ],
    ratios: [
      { label: 'a ratio', value: 1.5, target: '<= 2x', pass: true },
      { label: 'a ratio against a case that did not run', value: NaN },
      { label: 'skipped', value: NaN, skipped: 'the peer does not load here' },
    ],
    charts: [
      { title: 'Contended', case: 'contended throughput', xParam: 'workers', yLabel: 'ops/s' },
      { title: 'Scaling', case: 'CPU-bound scaling', xParam: 'threads', yLabel: 'x' },
    ],
    ...extra,
  };
}

/** The x-axis labels of a rendered chart: [x position, text], in order. */
function xAxisLabels(svg: string): [number, string][] {
  // Axis labels sit 20 px under the plot; y labels are right-aligned (text-anchor="end").
  return [...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)" text-anchor="middle" fill="#374151">([^<]*)</g)]
    .filter((m) => m[2] === '364.0' || m[2] === '364')
    .map((m) => [Number(m[1]), m[3]!]);
}

describe('benchmark report with many worker counts', () => {
  it('draws every x of a 64-point chart, labels them without overlap, and labels the last one', () => {
    const [, scaling] = chartFiles(result());
    const svg = scaling![1];
    expect(svg.match(/<circle /g)).toHaveLength(128); // 64 points × 2 series
    const labels = xAxisLabels(svg);
    expect(labels.length).toBeGreaterThan(5);
    expect(labels.length).toBeLessThan(64);
    expect(labels.at(-1)![1]).toBe('64');
    for (let i = 1; i < labels.length; i++) {
      const [x0, t0] = labels[i - 1]!;
      const [x1, t1] = labels[i]!;
      // Centred labels of about 7 px per character must not touch.
      expect(x1 - x0, `${t0} and ${t1}`).toBeGreaterThan(((t0.length + t1.length) / 2) * 7);
    }
  });

  it('labels every x of the worker counts a 64-core --full run has', () => {
    const [contended] = chartFiles(result());
    expect(xAxisLabels(contended![1]).map(([, t]) => t)).toEqual(FULL_64.map(String));
  });

  it('xLabelled: all labels when they fit, the first and last always', () => {
    expect(xLabelled(['1', '2', '4'], 200)).toEqual([true, true, true]);
    const dense = xLabelled(
      Array.from({ length: 100 }, (_, i) => String(i + 1)),
      4,
    );
    expect(dense[0]).toBe(true);
    expect(dense[99]).toBe(true);
    expect(dense.filter(Boolean).length).toBeLessThan(30);
    expect(xLabelled([], 10)).toEqual([]);
    expect(xLabelled(['1'], 0)).toEqual([true]);
  });

  it('renders a chart with no finite point, and one with a single x', () => {
    const svg = renderLineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [{ name: 's', points: [[4, NaN]] }],
    });
    expect(svg).toContain('</svg>');
    expect(renderLineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [] })).toContain('</svg>');
  });

  it('console table and markdown list every row and show a NaN ratio as such', () => {
    const r = result();
    const table = consoleTable(r);
    expect(table.split('\n').filter((l) => l.startsWith('contended throughput'))).toHaveLength(16);
    expect(table).toMatch(/a ratio against a case that did not run\s+NaN/);
    const md = renderMarkdown([r], 'results');
    expect(md).toContain('![Scaling](results/mutex-cpu-bound-scaling.svg)');
    expect(md).toContain('| contended throughput | naive futex | workers=128 |');
    expect(md).not.toContain('Not a measurement');
  });

  it('a smoke or simulated result says it is not a measurement, and keeps the real core count', () => {
    const r = result({ smoke: true, simulatedCores: 64 });
    expect(notAMeasurement(r)).toBe(
      'a smoke run (tiny durations), sized for 64 simulated cores on this 2-core machine',
    );
    expect(notAMeasurement(result({ simulatedCores: 16 }))).toBe(
      'sized for 16 simulated cores on this 2-core machine',
    );
    const md = renderMarkdown([r], '.');
    expect(md).toContain('> **Not a measurement:** a smoke run (tiny durations), sized for 64 simulated');
    expect(md).toContain('on 2 cores (Test CPU)');
    expect(md).not.toMatch(/on 64 cores/);
  });

  it("prints a suite's notes under its heading, before the ratios", () => {
    const md = renderMarkdown([result({ notes: ['Pool A batches tasks; pool B does not.'] })], 'results');
    expect(md).toMatch(
      /## mutex \(Node v20\.20\.2\)\n[^#]*\*\*Note:\*\* Pool A batches tasks; pool B does not\.\n\n### Headline ratios/,
    );
  });

  it('writes every rate with k/M/G, whatever its unit', () => {
    expect(formatValue(16_200_000, 'acquire+release/s')).toBe('16.2M acquire+release/s');
    expect(formatValue(184_000, 'generations/s')).toBe('184k generations/s');
    expect(formatValue(388_000_000, 'calls/s')).toBe('388M calls/s');
    expect(formatValue(84.6, 'generations/s')).toBe('84.6 generations/s');
    expect(formatValue(12.4, 'µs')).toBe('12.4 µs');
  });

  it('labels every section with its Node version, oldest Node first, and lists the runs it is made of', () => {
    // readResultFiles sorts by file name, which puts mutex-node24.json before mutex.json.
    const node24 = result({ machine: { ...machine, node: 'v24.21.0' }, date: '2026-01-02T00:00:00.000Z' });
    const node20 = result();
    const md = renderMarkdown([node24, node20], 'results');
    const headings = md.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual([
      '## Runs in this report',
      '## mutex (Node v20.20.2)',
      '## mutex (Node v24.21.0)',
    ]);
    expect(md).toContain(
      '| mutex (Node v20.20.2) | 2026-01-01 | 2 cores (Test CPU), 24 GiB, linux x64 | full | 0.1 |',
    );
    expect(md).toContain('| mutex (Node v24.21.0) | 2026-01-02 |');
    expect(md).toContain('> **Separate runs:** these sections come from 1 machine, 2 Node versions, 2 days');
    // A fresh run on a bigger machine beside the committed results of another one.
    const elsewhere = result({ suite: 'thread', machine: { ...machine, cores: 64, cpuModel: 'Big CPU' } });
    expect(renderMarkdown([node20, elsewhere], 'results')).toContain(
      'come from 2 machines, 1 Node version, 1 day',
    );
    // One run: nothing to warn about.
    expect(renderMarkdown([node20], 'results')).not.toContain('Separate runs');
    expect(renderMarkdown([], 'results')).not.toContain('Runs in this report');
  });

  it('charts say under their title where and when they were measured, and when they are not measurements', () => {
    const [[, real]] = chartFiles(result()) as [[string, string]];
    expect(real).toContain('>Node v20.20.2, 2 cores, 2026-01-01, full profile</text>');
    const [[, fake]] = chartFiles(result({ smoke: true, simulatedCores: 16 })) as [[string, string]];
    expect(fake).toContain(
      '>NOT A MEASUREMENT (smoke run, sized for 16 simulated cores): Node v20.20.2, 2 cores, 2026-01-01, full profile</text>',
    );
  });
});
