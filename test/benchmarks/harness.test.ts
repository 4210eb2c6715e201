// The benchmark harness end to end (`npm run bench`, benchmarks/run.ts), as a child process in smoke
// mode with a simulated core count: every case of the suite runs with the worker counts of an 8-core
// machine, for a few milliseconds each, and the results go to a temporary folder. Needs the build
// (`npm test` builds first). The all-suites run at 16 simulated cores is harness.stress.test.ts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resultKey, type SuiteResultFile } from '../../benchmarks/lib/report.js';
import { bench, repoResultsDigest } from './bench-run.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'threadkit-bench-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('npm run bench -- --smoke --cores 8', () => {
  it('runs the mutex and threadlocal suites end to end and reports into --out only', async () => {
    const before = repoResultsDigest();
    const out = path.join(tmp, 'out');
    const run = await bench(['--smoke', '--cores', '8', '--only', 'mutex,threadlocal', '--out', out], 90_000);
    expect(run.code, run.stderr + run.stdout.slice(-4000)).toBe(0);

    // Progress header: smoke, simulated, and the real core count.
    const real = os.availableParallelism();
    expect(run.stdout).toContain(
      `== mutex (smoke run of the quick profile sized for 8 simulated cores on this ${real}-core machine`,
    );
    // The final tables of both suites, and where everything went.
    expect(run.stdout.match(/^case {2,}impl {2,}params {2,}value$/gm)).toHaveLength(2);
    expect(run.stdout.match(/^ratio {2,}value {2,}target$/gm)).toHaveLength(2);
    // Named as a run on this Node is (mutex.json on Node 20, mutex-node22.json on 22, ...).
    const file = (suite: string) =>
      `${resultKey({ suite, machine: { node: process.version } as never })}.json`;
    expect(run.stdout).toContain(`wrote ${path.join(out, file('mutex'))}`);
    expect(run.stdout).toContain(`wrote ${path.join(out, 'BENCHMARKS.md')} from 2 result file(s) in ${out}`);

    const mutex = JSON.parse(readFileSync(path.join(out, file('mutex')), 'utf8')) as SuiteResultFile;
    expect(mutex).toMatchObject({ suite: 'mutex', profile: 'quick', smoke: true, simulatedCores: 8 });
    expect(mutex.machine.cores).toBe(real);
    // Every worker count of an 8-core machine ran for both locks (the counter check passed for each).
    const workers = (c: string, impl: string) =>
      mutex.rows.filter((r) => r.case === c && r.impl === impl).map((r) => r.params?.['workers']);
    for (const impl of ['threadkit', 'naive futex']) {
      expect(workers('contended throughput', impl)).toEqual([1, 2, 4, 8]);
      expect(workers('fairness: longest wait', impl)).toEqual([2, 4, 8]);
    }
    expect(mutex.ratios.map((r) => r.label)).toContain(
      'contended throughput, threadkit / naive futex, 8 workers',
    );
    for (const r of mutex.ratios) expect(r.value, r.label).toBeGreaterThan(0);

    const threadlocal = JSON.parse(
      readFileSync(path.join(out, file('threadlocal')), 'utf8'),
    ) as SuiteResultFile;
    expect(threadlocal.rows.length).toBe(12);

    const md = readFileSync(path.join(out, 'BENCHMARKS.md'), 'utf8');
    expect(md).toContain('## mutex');
    expect(md).toContain('## threadlocal');
    // The suite's note on what its comparisons do and do not compare reaches the report.
    expect(md).toContain('**Note:** threadkit withLock(fn) blocks its thread');
    expect(md).toContain(`sized for 8 simulated cores on this ${real}-core machine`);
    for (const [, file] of md.matchAll(/!\[[^\]]*\]\(\.\/([^)]+\.svg)\)/g)) {
      expect(readFileSync(path.join(out, file!), 'utf8')).toMatch(/^<svg [\s\S]*<\/svg>\n$/);
    }
    expect(md.match(/!\[/g)).toHaveLength(3);

    expect(repoResultsDigest()).toBe(before);
  });

  it('refuses to write a test run into the repository results, and a bad --cores', async () => {
    const intoRepo = await bench(['--smoke', '--out', 'benchmarks/results'], 20_000);
    expect(intoRepo.code).not.toBe(0);
    expect(intoRepo.stderr).toContain('not measurements: refusing to write them into benchmarks/results');
    const zero = await bench(['--smoke', '--cores', '0'], 20_000);
    expect(zero.code).not.toBe(0);
    expect(zero.stderr).toContain('Expected --cores to be an integer from 1 to 256, got 0');
  });

  it('answers a bad command line with one error line and a pointer to --help, not a stack trace', async () => {
    const cases: [string[], string][] = [
      [['--bogus'], "error: Unknown option '--bogus'"],
      [
        ['--only', 'nosuch'],
        'error: No benchmark suite named nosuch (have: mutex, thread, threadlocal, toolbox)',
      ],
      [['--cores', 'abc'], 'error: Expected --cores to be an integer from 1 to 256, got abc'],
      [
        ['--report', '--smoke', '--only', 'mutex'],
        'error: --report runs nothing, so --smoke, --only would do nothing',
      ],
    ];
    const before = repoResultsDigest();
    for (const [args, message] of cases) {
      const run = await bench(args, 20_000);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toBe(`${message}\nRun with --help for the options.\n`);
    }
    expect(repoResultsDigest()).toBe(before);
  });
});
