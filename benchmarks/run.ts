// Benchmark runner: `npm run bench [-- --full] [-- --only mutex] [-- --report]`.
// Discovers benchmarks/*.bench.ts (each default-exports a BenchSuite), runs them one by one, prints a
// progress line per case and a final table, writes benchmarks/results/<suite>.json and regenerates
// BENCHMARKS.md (with SVG charts under benchmarks/results/) from all result files.
// For testing the harness itself: `--smoke` (tiny durations) and `--cores N` (worker counts of an
// N-core machine); their results go to a temporary folder (or `--out`), never to benchmarks/results/.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { renderHeadline, withHeadline } from './lib/headline.js';
import { machineInfo } from './lib/machine.js';
import {
  chartFiles,
  consoleTable,
  notAMeasurement,
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
const README = path.join(ROOT, 'README.md');
/** The largest `--cores` accepted (a typo guard: 1000 workers would be a run of its own). */
const MAX_SIMULATED_CORES = 256;

const USAGE = `Usage: node --expose-gc --import tsx benchmarks/run.ts [options]   (or: npm run bench -- [options])
  --full           sizes for big machines (more workers, longer runs); default: quick profile
  --only <suite>   run only this suite (by name or file prefix); repeatable or comma-separated
  --report         do not run anything: regenerate BENCHMARKS.md and charts from benchmarks/results/*.json
  --out <dir>      write result files, charts and BENCHMARKS.md into <dir> instead of benchmarks/results/
                   and BENCHMARKS.md (with --report: re-render <dir>/BENCHMARKS.md from <dir>/*.json)
Testing the harness (results are not measurements; they go to --out or a new temporary folder):
  --smoke          tiny durations and repetitions: every case runs end to end in seconds
  --cores <n>      size worker counts for an n-core machine instead of this one (simulated; the
                   result files keep this machine's real core count)
  --help`;

/** A mistake on the command line: reported in one line with a pointer to --help, no stack trace. */
class UsageError extends Error {}

/** Where one invocation writes: result files and charts in `dir`, the report in `markdown`. */
interface Destination {
  readonly dir: string;
  readonly markdown: string;
  /** Chart directory as the markdown refers to it. */
  readonly chartDir: string;
}

const REPO_DESTINATION: Destination = {
  dir: RESULTS_DIR,
  markdown: MARKDOWN,
  chartDir: path.relative(ROOT, RESULTS_DIR).split(path.sep).join('/'),
};

async function main(): Promise<void> {
  const { values } = parseOptions();
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.report) {
    // --report only re-renders: an option that would shape a run must not be silently dropped.
    const ignored = (['full', 'smoke', 'cores', 'only'] as const).filter(
      (o) => values[o] !== undefined && values[o] !== false,
    );
    if (ignored.length > 0) {
      throw new UsageError(
        `--report runs nothing, so ${ignored.map((o) => `--${o}`).join(', ')} would do nothing`,
      );
    }
  }
  const simulatedCores = values.cores === undefined ? undefined : parseCores(values.cores);
  const testing = values.smoke || simulatedCores !== undefined;
  const dest = await destination(values.out, testing && !values.report);
  if (!values.report) {
    const only = (values.only ?? []).flatMap((s) => s.split(',')).filter((s) => s !== '');
    await runSuites(await discover(only), { full: values.full, smoke: values.smoke, simulatedCores }, dest);
  }
  await writeReport(dest);
}

/** The command line, parsed; a malformed one is a {@link UsageError}. */
function parseOptions() {
  try {
    return parseArgs({
      options: {
        full: { type: 'boolean', default: false },
        only: { type: 'string', multiple: true },
        report: { type: 'boolean', default: false },
        out: { type: 'string' },
        smoke: { type: 'boolean', default: false },
        cores: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    // node:util's own errors (ERR_PARSE_ARGS_UNKNOWN_OPTION, ...) already say what was wrong.
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      throw new UsageError((err as Error).message);
    }
    throw err;
  }
}

function parseCores(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_SIMULATED_CORES) {
    throw new UsageError(`Expected --cores to be an integer from 1 to ${MAX_SIMULATED_CORES}, got ${text}`);
  }
  return n;
}

/**
 * The repository's results unless `--out` names a folder; a test run (`--smoke`, `--cores`) without
 * `--out` gets a fresh temporary folder, and may never write into the repository's results.
 */
async function destination(out: string | undefined, testing: boolean): Promise<Destination> {
  if (out === undefined && !testing) return REPO_DESTINATION;
  const dir = path.resolve(out ?? (await mkdtemp(path.join(os.tmpdir(), 'threadkit-bench-'))));
  if (testing && (dir === RESULTS_DIR || dir === ROOT)) {
    throw new UsageError(
      `--smoke and --cores results are not measurements: refusing to write them into ${path.relative(process.cwd(), dir) || '.'}`,
    );
  }
  return { dir, markdown: path.join(dir, 'BENCHMARKS.md'), chartDir: '.' };
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
    throw new UsageError(
      `No benchmark suite named ${missing.join(', ')} (have: ${files.map((f) => f.slice(0, -'.bench.ts'.length)).join(', ')})`,
    );
  return found;
}

interface RunOptions {
  readonly full: boolean;
  readonly smoke: boolean;
  /** `--cores N`, else undefined (this machine's count). */
  readonly simulatedCores: number | undefined;
}

/** `quick profile, 2 cores` or, for a test run, what was simulated on what. */
function describeRun(o: RunOptions, realCores: number): string {
  const profile = `${o.full ? 'full' : 'quick'} profile`;
  const smoke = o.smoke ? 'smoke run of the ' : '';
  if (o.simulatedCores === undefined) return `${smoke}${profile}, ${realCores} cores`;
  return `${smoke}${profile} sized for ${o.simulatedCores} simulated cores on this ${realCores}-core machine`;
}

async function runSuites(found: readonly Found[], o: RunOptions, dest: Destination): Promise<void> {
  if (!existsSync(path.join(ROOT, 'dist', 'index.js'))) {
    throw new Error(
      'dist/ is missing: benchmarks import the built package; run `npm run build` (npm run bench does)',
    );
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) console.warn('note: run node with --expose-gc to collect garbage between suites');
  // The load average as this run found it: a later suite's would count the workers of the ones before
  // it (the 1-minute average decays slowly), and flag a machine as busy with this very run's load.
  const { loadAvg1m } = machineInfo();
  for (const { suite } of found) {
    gc?.();
    const machine = { ...machineInfo(), loadAvg1m };
    const date = new Date().toISOString();
    const started = performance.now();
    console.log(`\n== ${suite.name} (${describeRun(o, machine.cores)}, Node ${machine.node})`);
    const result = await suite.run({
      full: o.full,
      smoke: o.smoke,
      cores: o.simulatedCores ?? os.availableParallelism(),
      log: (line) => console.log(`[${suite.name}] ${line}`),
    });
    const file: SuiteResultFile = {
      suite: suite.name,
      profile: o.full ? 'full' : 'quick',
      machine,
      date,
      durationS: Math.round((performance.now() - started) / 100) / 10,
      ...(o.smoke ? { smoke: true } : {}),
      ...(o.simulatedCores === undefined ? {} : { simulatedCores: o.simulatedCores }),
      ...result,
    };
    console.log(`\n${consoleTable(result)}`);
    const fake = notAMeasurement(file);
    if (fake !== undefined) console.log(`\n(not a measurement: ${fake})`);
    console.log(`\nwrote ${shown(await writeResultFile(dest.dir, file))} (${file.durationS} s)`);
  }
}

/** A path as printed: relative inside the repository, absolute elsewhere (a temporary folder). */
function shown(file: string): string {
  const rel = path.relative(ROOT, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

async function writeReport(dest: Destination): Promise<void> {
  const results = await readResultFiles(dest.dir);
  for (const r of results) {
    for (const [name, svg] of chartFiles(r)) await writeFile(path.join(dest.dir, name), svg);
  }
  await writeFile(dest.markdown, renderMarkdown(results, dest.chartDir));
  console.log(`wrote ${shown(dest.markdown)} from ${results.length} result file(s) in ${shown(dest.dir)}`);
  // The README quotes the repository's results only, never those of an --out folder.
  if (dest === REPO_DESTINATION) {
    const readme = await readFile(README, 'utf8');
    const updated = withHeadline(readme, renderHeadline(results));
    if (updated !== readme) {
      await writeFile(README, updated);
      console.log(`updated the headline table in ${shown(README)}`);
    }
  }
}

try {
  await main();
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  console.error(`error: ${err.message}\nRun with --help for the options.`);
  process.exitCode = 2;
}
