// A ThreadPool recovering from a worker that never comes up: no task with a time limit is left
// waiting for ever.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runFixture } from './helpers.js';

/** What test/fixtures/thread/boot-hang.mjs prints of a task. */
type Outcome = { ok: boolean; value?: string; name?: string; message?: string; ms: number };

describe('ThreadPool worker recovery', () => {
  it('a timed task on a worker that never comes up rejects, and the pool replaces the worker', async () => {
    const preload = fileURLToPath(new URL('../fixtures/thread/boot-hang-preload.cjs', import.meta.url));
    // Without the boot cap, the timed task never settled and the fixture ran into this time limit.
    const { stdout, stderr, code } = await runFixture('boot-hang.mjs', [], 10_000, ['--require', preload]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as Record<string, Outcome | number>;
    const timed = out.timed as Outcome;
    expect(timed).toMatchObject({ ok: false, name: 'TimeoutError' });
    expect(timed.message).toMatch(
      /did not start within 2000 ms of being sent: its new worker has not come up/,
    );
    // Twice its limit (300 ms) is less than the boot grace of 2 s: it waited for the grace.
    expect(timed.ms).toBeGreaterThanOrEqual(1_900);
    expect(timed.ms).toBeLessThan(5_000);
    // The untimed task queued behind it, and the next one, run on the replacement.
    expect(out.queued).toMatchObject({ ok: true, value: 'ThreadPool-1-2' });
    expect(out.after).toMatchObject({ ok: true, value: 'ThreadPool-1-2' });
    expect(out.closeMs).toBeLessThan(2_000);
    // destroy() terminates a worker that never came up, and rejects the task waiting for it.
    expect(out.destroyMs).toBeLessThan(2_000);
    expect(out.pending).toMatchObject({ ok: false, name: 'PoolClosedError' });
  }, 15_000);
});
