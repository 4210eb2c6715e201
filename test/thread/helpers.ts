import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs a fixture script in a child process; resolves with its output and exit code. */
export function runFixture(
  name: string,
  args: string[] = [],
  timeoutMs = 15_000,
): Promise<{ stdout: string; stderr: string; code: number | null; ms: number }> {
  const file = fileURLToPath(new URL(`../fixtures/thread/${name}`, import.meta.url));
  const start = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [file, ...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err && err.killed) return reject(new Error(`${name} did not exit within ${timeoutMs} ms`));
      resolve({ stdout, stderr, code: err ? (err.code as number) : 0, ms: performance.now() - start });
    });
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
