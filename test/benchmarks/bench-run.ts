// Runs the benchmark harness (benchmarks/run.ts) as a child process, for the harness tests.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface BenchRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `npm run bench -- <args>` without the build step; never rejects. */
export function bench(args: readonly string[], timeoutMs: number): Promise<BenchRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'benchmarks/run.ts', ...args],
      { cwd: root, timeout: timeoutMs, maxBuffer: 64 * 2 ** 20 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A fingerprint of the repository's own results, which a test run must leave alone. */
export function repoResultsDigest(): string {
  const hash = createHash('sha256');
  const dir = path.join(root, 'benchmarks', 'results');
  const files = existsSync(dir) ? readdirSync(dir).sort() : [];
  for (const f of files) hash.update(f).update(readFileSync(path.join(dir, f)));
  const md = path.join(root, 'BENCHMARKS.md');
  if (existsSync(md)) hash.update(readFileSync(md));
  return hash.digest('hex');
}
