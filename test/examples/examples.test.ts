// Runs every example in examples/ as a child process, the way `npm run example <name>` does (against
// the built package, imported by name), and checks what it prints. Timings are printed by the
// examples but never asserted: this machine's load is not the examples' business.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `examples/<name>.ts` through the dispatcher; resolves with its stdout. */
async function runExample(name: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'examples/run.ts', name],
    { cwd: root, env: { ...process.env, ...env }, timeout: 30_000 },
  );
  return stdout;
}

describe.concurrent('examples', () => {
  it('every example in examples/ has a test here', () => {
    const names = readdirSync(new URL('../../examples', import.meta.url))
      .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
      .map((f) => f.slice(0, -3))
      .sort();
    expect(names).toEqual(['balance', 'busy-loop', 'checkpoint', 'return-values', 'thread-local']);
  });

  it('checkpoint: trains, saves on a background thread, renews the best model, reports the time saved', async () => {
    const out = await runExample('checkpoint', { EPOCHS: '3' });
    expect(out).toMatch(/^epoch 3: test loss \d+\.\d+$/m);
    expect(out.match(/^==> Best Model Renewed\. \(epoch \d\)$/gm)).toHaveLength(3);
    expect(out).toMatch(/^inline saves: +\d+ ms for 3 epochs$/m);
    expect(out).toMatch(/^background saves: +\d+ ms for 3 epochs$/m);
    expect(out).toMatch(/^time saved: -?\d+ ms \(-?\d+%\)$/m);
  });

  it('balance: the locked balance is exactly 0 (the unlocked one is only printed)', async () => {
    const out = await runExample('balance');
    expect(out).toMatch(/^without a lock: balance = -?\d+ /m);
    expect(out).toMatch(/^with a Mutex: +balance = 0$/m);
  });

  it('busy-loop: reports CPU use and a speedup', async () => {
    const out = await runExample('busy-loop', { LIMIT: '100000' });
    expect(out).toMatch(/^1 busy thread: +\d+ ms, CPU \d+%$/m);
    expect(out).toMatch(/^\d+ busy threads: +\d+ ms, CPU \d+%$/m);
    expect(out).toMatch(/^speedup: \d+\.\d\dx on \d+ cores/m);
  });

  it('thread-local: each thread sees its own student', async () => {
    const out = await runExample('thread-local');
    expect(out).toBe('Hello, Alice (in Thread-A)\nHello, Bob (in Thread-B)\nHello, Carol (in MainThread)\n');
  });

  it('return-values: join, a shared queue and ThreadPool.map all give the right results', async () => {
    const out = await runExample('return-values');
    expect(out).toMatch(/^join\(\): .* = 2666646666700000 \(true\)$/m);
    expect(out).toMatch(/^shared queue: +4 results, total 2666646666700000 \(true\)$/m);
    expect(out).toMatch(/^ThreadPool\.map: +1, 4, 9, 16, 25$/m);
  });
});
