// Unit tests of the spin history (src/internal/spin-history.ts): when a thread should spin before parking.
import { describe, expect, it } from 'vitest';
import { SpinHistory } from '../../src/internal/spin-history.js';

/** How many of the next `n` waits may spin, recording each of those spins as `hit`. */
function spinsIn(h: SpinHistory, n: number, hit: boolean): number {
  let spins = 0;
  for (let i = 0; i < n; i++) {
    if (!h.shouldSpin()) continue;
    spins++;
    h.record(hit);
  }
  return spins;
}

describe('SpinHistory', () => {
  it('keeps spinning while spins pay off', () => {
    expect(spinsIn(new SpinHistory(), 1000, true)).toBe(1000);
  });

  it('stops after three misses in a row, then probes once every 64 waits', () => {
    const h = new SpinHistory();
    expect(spinsIn(h, 3, false)).toBe(3);
    expect(spinsIn(h, 63, false)).toBe(0);
    expect(spinsIn(h, 1, false)).toBe(1); // the probe misses: paused again
    expect(spinsIn(h, 63, false)).toBe(0);
    expect(spinsIn(h, 1, true)).toBe(1); // the probe hits: spinning is back
    expect(spinsIn(h, 10, true)).toBe(10);
  });

  it('a hit resets the count of misses', () => {
    const h = new SpinHistory();
    for (let i = 0; i < 100; i++) {
      expect(spinsIn(h, 2, false)).toBe(2);
      expect(spinsIn(h, 1, true)).toBe(1);
    }
  });
});
