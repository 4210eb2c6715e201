// The multi-worker benchmark harness (benchmarks/lib/workers.ts) with more workers than cores, as a
// `--cores 64` run on a small machine (or `--full`, 2 × cores, on a big one) has them.
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { runWorkers } from '../../benchmarks/lib/workers.js';

const BARRIER_BODY = new URL('../../benchmarks/toolbox/barrier.body.ts', import.meta.url);

describe('runWorkers with more workers than cores', () => {
  it('a body whose waiters spin (the naive barrier) stops at STOP and counts only the ops it did', async () => {
    // 16 workers spinning on a 2-core machine manage a few barrier generations per second, so one
    // batch of 64 outlasts the stop timeout unless the waiters give up at STOP.
    const workers = 16;
    const r = await runWorkers({
      body: BARRIER_BODY,
      workers,
      durationMs: 20,
      shared: new SharedArrayBuffer(4096),
      params: { impl: 'naive' },
      stopTimeoutMs: 1000,
    });
    expect(r.reports).toHaveLength(workers);
    if (os.availableParallelism() < workers) {
      // A batch (64 generations) cannot complete in 20 ms here: the count is what was done, not 64.
      expect(r.totalOps).toBeLessThan(64 * workers);
    }
  });
});
