import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Runs a fixture script in a child process (`node ...nodeArgs <fixture> ...args`); resolves with its output and exit code. */
export function runFixture(
  name: string,
  args: string[] = [],
  timeoutMs = 15_000,
  nodeArgs: string[] = [],
): Promise<{ stdout: string; stderr: string; code: number | null; ms: number }> {
  const file = fileURLToPath(new URL(`../fixtures/thread/${name}`, import.meta.url));
  const start = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...nodeArgs, file, ...args],
      { timeout: timeoutMs },
      (err, stdout, stderr) => {
        if (err && err.killed) return reject(new Error(`${name} did not exit within ${timeoutMs} ms`));
        resolve({ stdout, stderr, code: err ? (err.code as number) : 0, ms: performance.now() - start });
      },
    );
  });
}

/** Rejects if `promise` takes longer than `ms`: every test that waits on a thread has a watchdog. */
export function watchdog<T>(promise: Promise<T>, ms = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const dog = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`watchdog: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, dog]).finally(() => clearTimeout(timer));
}

/**
 * A worker stuck where `terminate()` cannot stop it: `task` (run it with `args`) blocks its worker in
 * `spawnSync` of a child process until `release()`, so the worker cannot exit before then. `started`
 * resolves once the child runs (the worker is inside the native call).
 */
export function uninterruptible(): {
  task: (script: string, dir: string) => Promise<void>;
  args: [string, string];
  started: Promise<void>;
  release(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'threadkit-hold-'));
  const script = fileURLToPath(new URL('../fixtures/thread/hold-until-released.cjs', import.meta.url));
  const started = (async () => {
    const end = Date.now() + 10_000;
    while (!existsSync(join(dir, 'started'))) {
      if (Date.now() > end) throw new Error('the blocking child process did not start within 10 s');
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    task: async (script: string, dir: string) => {
      const { spawnSync } = await import('node:child_process');
      spawnSync(process.execPath, [script, dir]);
    },
    args: [script, dir],
    started,
    release: () => writeFileSync(join(dir, 'release'), ''),
  };
}
