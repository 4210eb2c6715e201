// Benchmark runner: `npm run bench [-- --full] [-- --only mutex] [-- --report]`.
// Discovers benchmarks/*.bench.ts (each default-exports a BenchSuite), runs them one by one, prints a
// progress line per case and a final table, writes benchmarks/results/<suite>.json and regenerates
// BENCHMARKS.md (with SVG charts under benchmarks/results/) from all result files.
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { machineInfo } from './lib/machine.js';
import {
  chartFiles,
  consoleTable,
  readResultFiles,
  renderMarkdown,
  writeResultFile,
  type SuiteResultFile,
} from './lib/report.js';
import type { BenchSuite } from './lib/types.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH_DIR);
const RESULTS_DIR = path.join(BENCH_DIR, 'results');
const MARKDOWN = path.join(ROOT, 'BENCHMARKS.md');

const USAGE = `Usage: node --expose-gc --import tsx benchmarks/run.ts [options]   (or: npm run bench -- [options])
  --full           sizes for big machines (more workers, longer runs); default: quick profile
  --only <suite>   run only this suite (by name or file prefix); repeatable or comma-separated
  --report         do not run anything: regenerate BENCHMARKS.md and charts from benchmarks/results/*.json
  --help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      full: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      report: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.report) {
    const only = (values.only ?? []).flatMap((s) => s.split(',')).filter((s) => s !== '');
    await runSuites(await discover(only), values.full);
  }
  await writeReport();
}

interface Found {
  readonly file: string;
  readonly suite: BenchSuite;
}

async function discover(only: readonly string[]): Promise<Found[]> {
  const files = (await readdir(BENCH_DIR)).filter((f) => f.endsWith('.bench.ts')).sort();
  const found: Found[] = [];
  for (const file of files) {
    const prefix = file.slice(0, -'.bench.ts'.length);
    if (only.length > 0 && !only.includes(prefix)) {
      // Match by suite name too; import only when the file name alone does not decide.
      if (!only.some((o) => prefix.startsWith(o) || o.startsWith(prefix))) continue;
    }
    const mod = (await import(pathToFileURL(path.join(BENCH_DIR, file)).href)) as { default?: unknown };
    const suite = mod.default as BenchSuite | undefined;
    if (suite === undefined || typeof suite.name !== 'string' || typeof suite.run !== 'function') {
      throw new TypeError(`Expected benchmarks/${file} to default-export a BenchSuite ({ name, run })`);
    }
    if (only.length > 0 && !only.includes(prefix) && !only.includes(suite.name)) continue;
    found.push({ file, suite });
  }
  const missing = only.filter((o) => !found.some((f) => f.suite.name === o || f.file === `${o}.bench.ts`));
  if (missing.length > 0)
    throw new Error(`No benchmark suite named ${missing.join(', ')} (have: ${files.join(', ')})`);
  return found;
}

async function runSuites(found: readonly Found[], full: boolean): Promise<void> {
  if (!existsSync(path.join(ROOT, 'dist', 'index.js'))) {
    throw new Error(
      'dist/ is missing: benchmarks import the built package; run `npm run build` (npm run bench does)',
    );
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) console.warn('note: run node with --expose-gc to collect garbage between suites');
  for (const { suite } of found) {
    gc?.();
    const machine = machineInfo();
    const date = new Date().toISOString();
    const started = performance.now();
    console.log(
      `\n== ${suite.name} (${full ? 'full' : 'quick'} profile, ${machine.cores} cores, Node ${machine.node})`,
    );
    const result = await suite.run({
      full,
      cores: os.availableParallelism(),
      log: (line) => console.log(`[${suite.name}] ${line}`),
    });
    const file: SuiteResultFile = {
      suite: suite.name,
      profile: full ? 'full' : 'quick',
      machine,
      date,
      durationS: Math.round((performance.now() - started) / 100) / 10,
      ...result,
    };
    console.log(`\n${consoleTable(result)}`);
    console.log(
      `\nwrote ${path.relative(ROOT, await writeResultFile(RESULTS_DIR, file))} (${file.durationS} s)`,
    );
  }
}

async function writeReport(): Promise<void> {
  const results = await readResultFiles(RESULTS_DIR);
  for (const r of results) {
    for (const [name, svg] of chartFiles(r)) await writeFile(path.join(RESULTS_DIR, name), svg);
  }
  await writeFile(
    MARKDOWN,
    renderMarkdown(results, path.relative(ROOT, RESULTS_DIR).split(path.sep).join('/')),
  );
  console.log(`wrote ${path.relative(ROOT, MARKDOWN)} from ${results.length} result file(s)`);
}

await main();
