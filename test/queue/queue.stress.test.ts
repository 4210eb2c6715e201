// The many-producers-many-consumers check at scale: 8 producers × 100 000 values, 8 consumers.
// Run with `npm run test:stress`.
import { describe, expect, it } from 'vitest';
import { Queue } from '../../src/queue/index.js';
import { runWorkers } from '../helpers/toolbox-workers.js';

const PRODUCERS = 8;
const CONSUMERS = 8;
const PER_PRODUCER = 100_000; // 800 000 values in all

describe('Queue stress (8 × 8 threads)', () => {
  for (const [name, queue] of [
    ['slot-bound', () => new Queue<number>(128)],
    ['byte-bound', () => new Queue<number>(100_000, { maxBytes: 256 })],
  ] as const) {
    it(`delivers 800 000 values exactly once (${name})`, async () => {
      const q = queue();
      const total = PRODUCERS * PER_PRODUCER;
      const seen = new SharedArrayBuffer(total * 4);
      const modes = ['blocking', 'async', 'timed', 'blocking'];
      const common = { queue: q, count: PER_PRODUCER, producers: PRODUCERS, seen };
      const consuming = runWorkers<{ got: number; outOfOrder: number }>(
        'queue-mpmc.mjs',
        Array.from({ length: CONSUMERS }, (_, id) => ({
          ...common,
          role: 'consumer',
          id,
          mode: modes[id % 4],
        })),
        { watchdogMs: 240_000 },
      );
      await runWorkers(
        'queue-mpmc.mjs',
        Array.from({ length: PRODUCERS }, (_, id) => ({
          ...common,
          role: 'producer',
          id,
          mode: modes[id % 4],
        })),
        { watchdogMs: 240_000 },
      );
      q.close();
      const results = await consuming;
      expect(results.reduce((n, r) => n + r.got, 0)).toBe(total);
      expect(results.every((r) => r.outOfOrder === 0)).toBe(true);
      expect(new Int32Array(seen).every((c) => c === 1)).toBe(true);
    });
  }
});
