// README.md's headline table (benchmarks/lib/headline.ts): generated from the result files by every
// `npm run bench`, so the README never quotes numbers the committed results do not hold.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEADLINE_END, HEADLINE_START, renderHeadline, withHeadline } from '../../benchmarks/lib/headline.js';
import type { MachineInfo } from '../../benchmarks/lib/machine.js';
import { readResultFiles, type SuiteResultFile } from '../../benchmarks/lib/report.js';
import type { BenchRatio } from '../../benchmarks/lib/types.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

const machine = (node: string, cores = 16, loadAvg1m = 0.5): MachineInfo => ({
  cores,
  cpuModel: 'Test CPU',
  node,
  platform: 'linux',
  arch: 'x64',
  totalMemGiB: 64,
  loadAvg1m,
});

function result(suite: string, ratios: BenchRatio[], extra: Partial<SuiteResultFile> = {}): SuiteResultFile {
  return {
    suite,
    profile: 'full',
    machine: machine('v20.20.2'),
    date: '2026-03-04T05:06:07.000Z',
    durationS: 1,
    rows: [],
    ratios,
    ...extra,
  };
}

const cells = (text: string, what: string): string[] | undefined =>
  text
    .split('\n')
    .find((l) => l.startsWith(`| ${what}`))
    ?.split('|')
    .slice(2, -1)
    .map((c) => c.trim());

describe('README headline table', () => {
  it('is what the committed result files give (re-run `node --import tsx benchmarks/run.ts --report`)', async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    const results = await readResultFiles(path.join(ROOT, 'benchmarks', 'results'));
    expect(readme).toBe(withHeadline(readme, renderHeadline(results)));
  });

  it('quotes the oldest Node real results only, scaled and labelled for the machine', () => {
    const text = renderHeadline([
      result('thread', [
        { label: 'pool tiny-task throughput vs piscina (median of per-round ratios)', value: 12.34 },
        { label: 'CPU-bound speedup on 16 threads / 16', value: 0.95 },
      ]),
      // Another Node's run of the same suite, and a smoke run: neither is quoted.
      result('thread', [{ label: 'pool tiny-task throughput vs piscina (x)', value: 99 }], {
        machine: machine('v24.1.0'),
      }),
      result('mutex', [{ label: 'handoff latency, threadkit / raw wait/notify', value: 0.5 }], {
        smoke: true,
      }),
      result('threadlocal', [
        { label: 'get(): threadkit time / raw getStore() time', value: 0.9 },
        { label: 'run(): threadkit time / raw AsyncLocalStorage.run() time', value: NaN, skipped: 'no ALS' },
      ]),
    ]);
    expect(cells(text, 'ThreadPool tiny-task throughput vs piscina')).toEqual(['12.3×', '≥ 3×']);
    expect(cells(text, 'CPU-bound speedup, 16 threads on 16 cores')).toEqual(['15.2×', '≥ 14.4×']);
    // The mutex suite has only a smoke run: not measured, and no contention sentence.
    expect(cells(text, 'lock handoff latency')).toEqual(['not measured', '']);
    expect(cells(text, '`ThreadLocal.get()`')).toEqual(['0.90× / skipped', '≤ 1.5×']);
    expect(text).toContain('16-core Test CPU machine, Node 20.20.2');
    expect(text).toContain('thread, threadlocal on 2026-03-04');
    expect(text).not.toContain('busy machine');
    expect(text).not.toContain('Contended Mutex');
  });

  it('gives the contended ratios at every worker count, and flags a busy machine', () => {
    const contended = [1, 2, 4].map((w) => ({
      label: `contended throughput, threadkit / naive futex, ${w} workers`,
      value: w / 2,
    }));
    const text = renderHeadline([result('mutex', contended, { machine: machine('v20.1.0', 2, 1.5) })]);
    expect(text).toContain('0.50× / 1.00× / 2.00× at 1 / 2 / 4\nworkers on this 2-core machine');
    expect(text).toContain('need a many-core machine');
    expect(text).toContain('flags as a busy machine');
    expect(cells(text, 'ThreadPool tiny-task throughput vs piscina')).toEqual(['not measured', '≥ 3×']);
    expect(cells(text, 'CPU-bound speedup, N threads on N cores')).toEqual(['not measured', '≥ 0.9·N']);
  });

  it('replaces only the text between the markers, and refuses a README without them', () => {
    const readme = `# x\n\n${HEADLINE_START}\n\nold\n\n${HEADLINE_END}\n\nafter\n`;
    expect(withHeadline(readme, 'new')).toBe(`# x\n\n${HEADLINE_START}\n\nnew\n\n${HEADLINE_END}\n\nafter\n`);
    expect(() => withHeadline('# no markers\n', 'new')).toThrow(/bench:headline/);
    expect(renderHeadline([])).toMatch(/No benchmark results yet/);
  });
});
