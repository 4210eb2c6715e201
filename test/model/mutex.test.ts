// Model checking of the real Mutex algorithm (src/mutex/raw-mutex.ts) under simulated Atomics:
// fast-check picks interleavings (bounded preemptions or random walks), time, spurious wake-ups and
// aborts. Bigger runs: mutex.stress.test.ts.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkMutex, coverage, mutexProperty, rawMutex, type Scenario } from './mutex-model.js';
import { transformSource } from './transform.js';

/** Plants a bug: replaces `from` (which must occur) by `to` in the algorithm's source. */
const plant = (from: string, to: string) => (src: string) => {
  if (!src.includes(from)) throw new Error(`planted bug: source no longer contains ${from}`);
  return src.replace(from, to);
};

/** Runs the checker against a mutated algorithm; returns the violation it reports. */
function find(mutate: (src: string) => string, numRuns = 6000): string {
  const result = fc.check(mutexProperty(rawMutex({ mutate })), { numRuns, seed: 42 });
  return result.failed ? String(result.errorInstance) : 'not found';
}

// The schedules below count steps (Atomics operations), so a change to the number of steps on a path
// of the algorithm moves them off the interleaving they reproduce. When unlock's fast path became a
// plain read and an exchange (one step less when it does not apply), the scripted gap was re-tuned and
// the walk seeds re-found by searching seeds of the same threads for the same planted bug and error;
// every regression test below checks both the fix and the planted bug, so a stale schedule fails.

/**
 * Found by the checker (seed 560 of the 2–4 thread property; shrunk by hand to this): T1 holds the lock
 * in fair mode, T2's lockAsync() sleeps and is aborted while T1 unlocks. T1 reads WAITERS = 1 (T2); T2
 * deregisters, sees the lock still held and returns from passOn; T1 hands the lock off and its notify
 * wakes T2's abandoned wait, so it counts a waiter woken and leaves the handoff for it; T2 only then
 * evicts its wait. The lock word stayed HANDOFF | FAIR with nobody to claim it (I3).
 */
const handoffToAnAbortedWait: Scenario = {
  threads: [
    { kind: 'lock', iterations: 2, timeoutMs: Infinity, abortAfterMs: Infinity, diesAt: -1 },
    { kind: 'async', iterations: 1, timeoutMs: Infinity, abortAfterMs: Infinity, diesAt: -1 },
  ],
  schedule: {
    script: [
      { gap: 5, pick: 0 }, // T1 runs on, into its second critical section
      { gap: 2, pick: 1 }, // switch to T2: its fast path fails
      { gap: 3, pick: 2 }, // 1 ms passes as T2 registers: its first check sets FAIR, and it parks
      { gap: 5, pick: 0 }, // T1 leaves its critical section; unlock's fast path sees PARKED | FAIR
      { gap: 3, pick: 3 }, // T2's wait is aborted
      { gap: 3, pick: 1 }, // T1 read WAITERS = 1; switch to T2: it leaves, sees the lock held
      { gap: 5, pick: 0 }, // T1 hands off, its notify wakes T2's abandoned wait; T2 evicts (wakes 0)
    ],
  },
};

/**
 * Found by the checker (seed 8 of the 2–4 thread property) with the withdrawal in passOn() removed: an
 * aborted lockAsync() whose abandoned wait absorbed a fair unlock's notify leaves; the handoff is still
 * in place and its passOn() wakes nobody, since the other waiter, a newcomer in lock(), is between its
 * check and its wait. Newcomers do not claim a handoff (I6): it parks on it, and nobody is left to wake it.
 */
const handoffLeftToANewcomer: Scenario = {
  threads: [
    { kind: 'async', iterations: 4, timeoutMs: 1, abortAfterMs: 0, diesAt: -1 },
    { kind: 'lock', iterations: 2, timeoutMs: 0, abortAfterMs: 0, diesAt: -1 },
    { kind: 'async', iterations: 4, timeoutMs: 2, abortAfterMs: 2, diesAt: -1 },
  ],
  schedule: { walk: { seed: 30, switchChance: 0.9, eventChance: 0, msPerStep: 0.1 } },
};

/**
 * Found by the 100 000-run stress property while I6 was written, with claimants keeping PARKED only
 * when WAITERS showed others: T2, woken for a handoff, read WAITERS; T3, a newcomer, registered, found
 * the handoff already flagged PARKED (by a newcomer that had since left) and slept on that very value;
 * T2's claim replaced it with a lock word without PARKED, so T2's unlock woke nobody.
 */
const newcomerAsleepOnAClaimedHandoff: Scenario = {
  threads: [
    { kind: 'async', iterations: 2, timeoutMs: 2, abortAfterMs: 0, diesAt: -1 },
    { kind: 'lock', iterations: 1, timeoutMs: 0, abortAfterMs: 0, diesAt: -1 },
    { kind: 'lock', iterations: 3, timeoutMs: 0, abortAfterMs: 0, diesAt: -1 },
  ],
  schedule: { walk: { seed: 62613, switchChance: 0.9, eventChance: 0, msPerStep: 0.1 } },
};

/**
 * Found by a search aimed at passOn()'s last branch with its notify removed (100 000 runs of the
 * general property did not find that): T3 unlocks in fair mode and its handoff's notify wakes the wait
 * that T2's aborted lockAsync() abandoned (I3); T2 evicts it and leaves, reading WAITERS = 0; T3,
 * locking again, registers only then and parks on the handoff (I6); T2 withdraws it. Nobody but T2
 * is left to wake T3.
 */
const handoffWithdrawnUnderANewcomer: Scenario = {
  threads: [
    { kind: 'lock', iterations: 3, timeoutMs: 0, abortAfterMs: 0, diesAt: -1 },
    { kind: 'async', iterations: 2, timeoutMs: 2, abortAfterMs: 0.5, diesAt: -1 },
    { kind: 'lock', iterations: 2, timeoutMs: 0, abortAfterMs: 0, diesAt: -1 },
  ],
  schedule: { walk: { seed: 486, switchChance: 0.3, eventChance: 0, msPerStep: 0.1 } },
};

/**
 * The same threads, another interleaving: a newcomer parks on a handoff that withdrawHandoff() then
 * resets, so only withdrawHandoff()'s notify wakes it. (The general property with 6000 runs found this
 * before unlock's fast path changed, and no longer does within that budget.)
 */
const newcomerOnAWithdrawnHandoff: Scenario = {
  ...handoffWithdrawnUnderANewcomer,
  schedule: { walk: { seed: 677, switchChance: 0.3, eventChance: 0, msPerStep: 0.1 } },
};

describe('Mutex model checker', () => {
  it('rewrites every Atomics operation, or refuses to load', () => {
    const source = readFileSync(new URL('../../src/mutex/raw-mutex.ts', import.meta.url), 'utf8');
    expect(() => transformSource(source)).not.toThrow();
    const leak = `${source}\nexport const leak = (a: Int32Array) => Atomics.load(a, 0);`;
    expect(() => transformSource(leak)).toThrow(/not total/);
    // A returned closure with a step becomes a generator (for `check` parameters), no other arrow.
    const closure = `${source}\nexport function check(a: Int32Array) { return () => Atomics.load(a, 0); }`;
    expect(transformSource(closure).code).toMatch(/return function\* \(\) \{/);
    const callback = `${source}\nexport function cb(a: Int32Array) { [0].forEach(() => Atomics.load(a, 0)); }`;
    expect(() => transformSource(callback)).toThrow(/not total/);
    // So does an arrow passed straight to a generator parameter of the file's own functions.
    const passed = `${source}\nfunction park(check: () => number) { return check(); }\nexport function p(a: Int32Array) { return park(() => Atomics.load(a, 0)); }`;
    expect(transformSource(passed, ['check']).code).toMatch(/park\(function\* \(\) \{/);
    expect(() => transformSource(passed)).toThrow(/not total/);
  });

  it('finds no violation in the shipped algorithm (2–4 threads)', () => {
    const before = { ...coverage };
    fc.assert(mutexProperty(rawMutex()), { numRuns: 3000 });
    // The runs reach the paths that matter: contention, timeouts, aborts, fair mode.
    expect(coverage.acquired - before.acquired).toBeGreaterThan(10_000);
    expect(coverage.timedOut - before.timedOut).toBeGreaterThan(50);
    expect(coverage.aborted - before.aborted).toBeGreaterThan(20);
    expect(coverage.fair - before.fair).toBeGreaterThan(0);
  });

  it('threads dying in the critical section: a waiter takes over, nobody hangs (owner polling on)', () => {
    const before = coverage.ownerDied;
    fc.assert(mutexProperty(rawMutex({ ownerCheck: true }), 4, 8, true), { numRuns: 2000 });
    expect(coverage.ownerDied - before).toBeGreaterThan(20);
  });

  it('threads dying while they wait: the lock word still comes back to 0 (owner polling on)', () => {
    fc.assert(mutexProperty(rawMutex({ ownerCheck: true }), 4, 8, true, true), { numRuns: 2000 });
  });

  it('finds the handoff left for a waiter that died, as shipped before (tryLock() refused the free lock)', () => {
    // Then: a handoff was withdrawn only once no waiter at all was registered, dead ones included, and
    // tryLock() claimed only from dead owners.
    const oldWithdrawal = plant(
      '    if ((s & HANDOFF) === 0) return;',
      '    if ((s & HANDOFF) === 0 || Atomics.load(i32, base + WAITERS) !== 0) return;',
    );
    const factory = rawMutex({ ownerCheck: true, mutate: oldWithdrawal });
    const result = fc.check(mutexProperty(factory, 4, 8, true, true, true), { numRuns: 20_000, seed: 42 });
    expect(String(result.errorInstance)).toMatch(/tryLock\(\) failed on a mutex nobody live holds/);
  });

  it('regression: a fair handoff is not left to the wait an aborted lockAsync() abandoned (I3)', () => {
    expect(() => checkMutex(rawMutex(), handoffToAnAbortedWait)).not.toThrow();
    // As shipped before: the aborted waiter deregistered (and checked the lock word) before evicting.
    const notAfterEviction = plant(
      '      waiter.leave();\n      throw signal?.reason;',
      '      throw signal?.reason;',
    );
    const leaveFirst = (src: string) =>
      plant('wait.cancel();\n', 'wait.cancel();\n      waiter.leave();\n')(notAfterEviction(src));
    expect(() => checkMutex(rawMutex({ mutate: leaveFirst }), handoffToAnAbortedWait)).toThrow(
      /lock word not clean at the end: STATE=60000000 WAITERS=0/,
    );
  });

  it('regression: a handoff that a leaving waiter passes to nobody asleep is withdrawn (I6)', () => {
    expect(() => checkMutex(rawMutex(), handoffLeftToANewcomer)).not.toThrow();
    const noWithdrawal = plant(
      'if (notify(i32, base + STATE, 1) === 0 && (s & HANDOFF) !== 0) withdrawHandoff(i32, base);',
      'notify(i32, base + STATE, 1);',
    );
    expect(() => checkMutex(rawMutex({ mutate: noWithdrawal }), handoffLeftToANewcomer)).toThrow(
      /lost wake-up(.|\n)*blocked on wait\(4, 70000000/,
    );
  });

  it('regression: claiming a handoff keeps the PARKED of a newcomer asleep on it (I6)', () => {
    expect(() => checkMutex(rawMutex(), newcomerAsleepOnAClaimedHandoff)).not.toThrow();
    const byWaitersOnly = plant(
      'if (others > 0 || (s & PARKED) !== 0) next |= PARKED;',
      'if (others > 0) next |= PARKED;',
    );
    expect(() => checkMutex(rawMutex({ mutate: byWaitersOnly }), newcomerAsleepOnAClaimedHandoff)).toThrow(
      /lost wake-up(.|\n)*blocked on wait\(4, 70000000/,
    );
  });

  it('regression: a leaving waiter that withdraws a handoff wakes a newcomer parked on it (I6)', () => {
    expect(() => checkMutex(rawMutex(), handoffWithdrawnUnderANewcomer)).not.toThrow();
    const noWake = plant(
      '    // A newcomer that registered after WAITERS was read may sleep on the handoff (I6).\n    if ((s & PARKED) !== 0) notify(i32, base + STATE, 1);\n',
      '',
    );
    expect(() => checkMutex(rawMutex({ mutate: noWake }), handoffWithdrawnUnderANewcomer)).toThrow(
      /lost wake-up(.|\n)*blocked on wait\(4, 70000000/,
    );
  });

  it('finds the hang on a dead owner when parked waiters do not poll', () => {
    const result = fc.check(mutexProperty(rawMutex(), 4, 8, true), { numRuns: 3000, seed: 42 });
    expect(String(result.errorInstance)).toMatch(/lost wake-up/);
  });

  describe('finds planted bugs', () => {
    it('the notify in releaseSlow removed', () => {
      const bug = plant('if ((s & PARKED) !== 0) notify(i32, base + STATE, 1);', '');
      expect(find(bug)).toMatch(/lost wake-up/);
    });

    it("the notify in unlock's fast path for a waiter that flagged itself after the read removed", () => {
      const bug = plant(
        'if (Atomics.exchange(i32, base + STATE, 0) !== tid) notify(i32, base + STATE, 1);',
        'Atomics.exchange(i32, base + STATE, 0);',
      );
      expect(find(bug)).toMatch(/lost wake-up/);
    });

    it('PARKED not set before parking', () => {
      expect(find(plant('let want = s | PARKED;', 'let want = s;'))).toMatch(/lost wake-up/);
    });

    it('spin taking the lock with a store instead of a compareExchange', () => {
      const bug = plant(
        'if (Atomics.compareExchange(i32, base + STATE, 0, tid) === 0) return true;',
        '{ Atomics.store(i32, base + STATE, tid); return true; }',
      );
      expect(find(bug)).toMatch(/mutual exclusion violated/);
    });

    it('an aborted async waiter not evicting its abandoned wait (I4)', () => {
      const bug = plant('if (wait.absorbsNotify) notify(i32, base + STATE, Infinity);', '');
      expect(find(bug)).toMatch(/lost wake-up/);
    });

    it('a handoff nobody claims left in place (I3)', () => {
      const bug = plant(
        'if (notify(i32, base + STATE, 1) === 0) withdrawHandoff(i32, base);',
        'notify(i32, base + STATE, 1);',
      );
      // Newcomers park on a handoff (I6): one left in place strands them, or, if none comes, the word.
      expect(find(bug, 30_000)).toMatch(/lost wake-up|not clean/);
    });

    it('a newcomer parked on a handoff not woken when it is withdrawn (I6)', () => {
      const bug = plant('if ((s & PARKED) !== 0) notify(i32, base + STATE, 1);\n    return;', 'return;');
      expect(() => checkMutex(rawMutex(), newcomerOnAWithdrawnHandoff)).not.toThrow();
      expect(() => checkMutex(rawMutex({ mutate: bug }), newcomerOnAWithdrawnHandoff)).toThrow(
        /lost wake-up(.|\n)*blocked on wait\(4, 70000000/,
      );
    });

    it('a waiter that acquires without deregistering', () => {
      const bug = plant(
        'Atomics.sub(i32, this.#base + WAITERS, 1);\n        return ACQUIRED;',
        'return ACQUIRED;',
      );
      expect(find(bug)).toMatch(/not clean/);
    });
  });
});
