// Model checking of the real Barrier algorithm (src/barrier/raw-barrier.ts) with the shared wait loop,
// driven as src/barrier/barrier.ts drives them. Bigger runs: model.stress.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { barrierCoverage, barrierModels, barrierProperty } from './barrier-model.js';

const plant = (from: string, to: string) => (src: string) => {
  if (!src.includes(from)) throw new Error(`planted bug: source no longer contains ${from}`);
  return src.replace(from, to);
};

function find(mutate: (src: string) => string, parties = 3, numRuns = 4000): string {
  const result = fc.check(barrierProperty(barrierModels({ mutate }), parties), { numRuns, seed: 42 });
  return result.failed ? String(result.errorInstance) : 'not found';
}

describe('Barrier model checker', () => {
  it('finds no violation in the shipped algorithm (2–3 parties, 1–3 generations)', () => {
    const before = { ...barrierCoverage };
    fc.assert(barrierProperty(barrierModels()), { numRuns: 3000 });
    expect(barrierCoverage.released - before.released).toBeGreaterThan(3000);
    expect(barrierCoverage.broken - before.broken).toBeGreaterThan(50);
    expect(barrierCoverage.lateRelease - before.lateRelease).toBeGreaterThan(50);
    expect(barrierCoverage.spunReleased - before.spunReleased).toBeGreaterThan(200);
    expect(barrierCoverage.spunBroken - before.spunBroken).toBeGreaterThan(20);
    expect(barrierCoverage.spunOut - before.spunOut).toBeGreaterThan(200);
  });

  describe('finds planted bugs', () => {
    it('release without a notify', () => {
      const bug = plant(
        'notify(i32, base + STATE, Infinity);\n    return { leader: true };',
        'return { leader: true };',
      );
      expect(find(bug)).toMatch(/lost wake-up/);
    });

    it('break without a notify', () => {
      const bug = plant('notify(i32, base + STATE, Infinity);\n    return BROKE;', 'return BROKE;');
      expect(find(bug)).toMatch(/lost wake-up/);
    });

    it('arrival with a store instead of a compareExchange', () => {
      const bug = plant(
        'if (Atomics.compareExchange(i32, base + STATE, s, s + 1) === s) return { leader: false, gen };',
        '{ Atomics.store(i32, base + STATE, s + 1); return { leader: false, gen }; }',
      );
      expect(find(bug)).toMatch(/round|generation|lost wake-up|barrier word/);
    });

    it('a late timeout breaking the next generation instead of its own', () => {
      const bug = plant('if (gen !== undefined && (s & GEN_MASK) !== gen) return RELEASED;', '');
      expect(find(bug)).toMatch(/round \d|barrier word/);
    });

    it('a spinner that takes the end of its spin for the release', () => {
      expect(find(plant('  }\n  return s;\n}', '  }\n  return RELEASED;\n}'))).toMatch(
        /released in round|released for some parties and broken for others/,
      );
    });

    it('a spinner that takes a break for the release', () => {
      const bug = plant(
        '    if ((s & GEN_MASK) !== gen) return RELEASED;\n    if ((s & BROKEN) !== 0) return BROKE;',
        '    if ((s & GEN_MASK) !== gen || (s & BROKEN) !== 0) return RELEASED;',
      );
      expect(find(bug)).toMatch(/released for some parties and broken for others|released (after|in) round/);
    });

    it('a spinner that looks at BROKEN before the generation (a later generation broke)', () => {
      const bug = plant(
        '    if ((s & GEN_MASK) !== gen) return RELEASED;\n    if ((s & BROKEN) !== 0) return BROKE;',
        '    if ((s & BROKEN) !== 0) return BROKE;\n    if ((s & GEN_MASK) !== gen) return RELEASED;',
      );
      expect(find(bug)).toMatch(/released for some parties and broken for others/);
    });

    it('the leader released one arrival early', () => {
      expect(find(plant('(s & COUNT_MASK) + 1 < parties', '(s & COUNT_MASK) + 2 < parties'))).toMatch(
        /led round|released in round|arrived in generation/,
      );
    });
  });
});
