// Every benchmark suite end to end in smoke mode with the worker counts of a 16-core machine (up to 16
// workers per run, 4 pools of 16 threads): about 2 minutes on 2 busy cores, so only in
// `npm run test:stress`. harness.test.ts runs two suites at 8 cores in `npm test`.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { SuiteResultFile } from '../../benchmarks/lib/report.js';
import { bench, repoResultsDigest } from './bench-run.js';

const SUITES = ['mutex', 'thread', 'threadlocal', 'toolbox'];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'threadkit-bench-stress-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

it('npm run bench -- --smoke --cores 16: every suite runs, with 16-core worker counts', async () => {
  const before = repoResultsDigest();
  const run = await bench(['--smoke', '--cores', '16', '--out', tmp], 540_000);
  expect(run.code, run.stderr + run.stdout.slice(-4000)).toBe(0);
  expect(run.stdout.match(/^case {2,}impl {2,}params {2,}value$/gm)).toHaveLength(SUITES.length);
  expect(
    readdirSync(tmp)
      .filter((f) => f.endsWith('.json'))
      .sort(),
  ).toEqual(SUITES.map((s) => `${s}.json`));
  const results = SUITES.map(
    (s) => JSON.parse(readFileSync(path.join(tmp, `${s}.json`), 'utf8')) as SuiteResultFile,
  );
  for (const r of results) expect(r).toMatchObject({ smoke: true, simulatedCores: 16 });
  const [mutex, thread, , toolbox] = results;
  const max = (r: SuiteResultFile, param: string) =>
    Math.max(...r.rows.map((row) => Number(row.params?.[param] ?? 0)));
  expect(max(mutex!, 'workers')).toBe(16);
  expect(max(toolbox!, 'workers')).toBe(16);
  expect(max(thread!, 'threads')).toBe(16);
  // CPU-bound scaling: powers of two up to the core count, for both impls.
  expect(
    thread!.rows.filter((r) => r.case === 'CPU-bound scaling').map((r) => r.params?.['threads']),
  ).toEqual([1, 2, 4, 8, 16, 1, 2, 4, 8, 16]);
  const md = readFileSync(path.join(tmp, 'BENCHMARKS.md'), 'utf8');
  for (const s of SUITES) expect(md).toContain(`## ${s}`);
  expect(repoResultsDigest()).toBe(before);
}, 600_000);
