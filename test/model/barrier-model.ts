// The Barrier under the model checker: simulated threads run the real src/barrier/raw-barrier.ts and
// the shared wait loop src/internal/park.ts (both through compileModel), driven the way
// src/barrier/barrier.ts drives them (mirrored below; the class also builds results and errors). Each
// of the `parties` threads waits `rounds` times, blocking, with a timeout, or async with a timeout and
// an abort; a separate thread may call abort() (breakBarrier) once, after some steps of its own. A
// blocking party may spin before it parks (`spin`: whether barrier.ts's spin policy lets
// it, which depends on cores and history, so the model tries both), with SPIN_LIMIT cut to a few loads
// so that spins both catch and miss the release. The harness checks that every generation is released exactly once, with one leader, only
// after all parties arrived, and with every party released; that a timeout or abort breaks exactly its
// own generation (never one already released, and every party of it fails); that no wake-up is lost;
// and that the barrier word ends released or broken in the last generation.
import fc from 'fast-check';
import { Sim, type SimThread } from './sim.js';
import { ModelError, randomWalk, runRandom, runSchedule, schedule } from './scheduler.js';
import { compileModel, type LoadOptions, type Model } from './transform.js';
import type { Scenario as MutexScenario } from './mutex-model.js';

export interface PartySpec {
  readonly kind: 'wait' | 'timed' | 'async';
  readonly timeoutMs: number;
  readonly abortAfterMs: number;
  /** A blocking wait spins before parking (ignored for async waits, which never spin). */
  readonly spin: boolean;
}

export interface BarrierScenario {
  readonly parties: readonly PartySpec[];
  readonly rounds: number;
  /** An extra thread calls abort() after this many steps of its own (none if undefined). */
  readonly abortAfterSteps: number | undefined;
  readonly schedule: MutexScenario['schedule'];
}

export const barrierScenario = (maxParties = 3, preemptions = 8): fc.Arbitrary<BarrierScenario> =>
  fc.record({
    parties: fc.array(
      fc.record({
        kind: fc.constantFrom<PartySpec['kind']>('wait', 'wait', 'timed', 'async'),
        timeoutMs: fc.constantFrom(1, 5, Infinity),
        abortAfterMs: fc.constantFrom(0.5, 2, Infinity),
        spin: fc.boolean(),
      }),
      { minLength: 2, maxLength: maxParties },
    ),
    rounds: fc.integer({ min: 1, max: 3 }),
    abortAfterSteps: fc.option(fc.nat(60), { nil: undefined, freq: 3 }),
    schedule: fc.oneof(fc.record({ script: schedule(preemptions) }), fc.record({ walk: randomWalk() })),
  });

/** What the runs exercised (summed over runs). */
export const barrierCoverage = {
  runs: 0,
  released: 0,
  broken: 0,
  lateRelease: 0,
  /** Spins that saw their generation released, saw it broken, or ran out and parked. */
  spunReleased: 0,
  spunBroken: 0,
  spunOut: 0,
};

/** How one party's wait ended. */
type Outcome = 'leader' | 'follower' | 'broken' | 'broke-it';

type Gen<T> = Generator<unknown, T, unknown>;
type Fns = Record<string, (...a: unknown[]) => Gen<unknown>>;
export type BarrierFactories = { bar: (sim: unknown) => Model; park: (sim: unknown) => Model };

/** Runs one scenario against compiled raw-barrier and park models. */
export function checkBarrier(f: BarrierFactories, s: BarrierScenario): void {
  const sim = new Sim();
  const barModel = f.bar(sim);
  const bar = barModel as Fns;
  const C = barModel as Record<string, number>;
  const park = f.park(sim) as Fns;
  const i32 = new Int32Array(new ArrayBuffer(32));
  const base = 2;
  const STATE = base + C.STATE!;
  const parties = s.parties.length;
  i32[base + C.PARTIES!] = parties;
  const genOf = (round: number) => (round * C.GEN_STEP!) & C.GEN_MASK!;
  /** Per round: parties that began arriving, and how their waits ended. */
  const started: number[] = [];
  const outcomes: Outcome[][] = [];

  /** barrier.ts `wait` / `waitAsync`, in round `round`. */
  function* wait(spec: PartySpec, t: SimThread, round: number): Gen<Outcome> {
    started[round] = (started[round] ?? 0) + 1;
    const arrival = (yield* bar.arrive!(i32, base)) as { leader: boolean; gen?: number } | null;
    if (arrival === null) return 'broken';
    if (arrival.leader) {
      if (started[round] !== parties)
        throw new ModelError(
          `${t.name} led round ${round} after ${started[round]} of ${parties} arrived`,
          sim,
        );
      return 'leader';
    }
    const gen = arrival.gen!;
    if (gen !== genOf(round))
      throw new ModelError(`${t.name} arrived in generation ${gen >> 16} in round ${round}`, sim);
    let outcome = C.RELEASED!;
    function* check(): Gen<number | null> {
      const st = (yield* bar.standing!(i32, base, gen)) as number;
      if (st !== C.RELEASED && st !== C.BROKE) return st;
      outcome = st;
      return null;
    }
    const giveUp = function* (): Gen<Outcome> {
      if ((yield* bar.breakBarrier!(i32, base, gen)) !== C.RELEASED) return 'broke-it';
      barrierCoverage.lateRelease++;
      return 'follower';
    };
    const timeout = spec.kind === 'wait' ? Infinity : spec.timeoutMs;
    if (spec.kind !== 'async' && timeout > 0 && spec.spin) {
      const st = (yield* bar.spin!(i32, base, gen)) as number;
      if (st === C.RELEASED) {
        barrierCoverage.spunReleased++;
        return released(t, round);
      }
      if (st === C.BROKE) {
        barrierCoverage.spunBroken++;
        return 'broken';
      }
      barrierCoverage.spunOut++;
    }
    let done: boolean;
    if (spec.kind !== 'async') {
      done = (yield* park.parkUntil!(i32, STATE, timeout, 'Barrier.wait()', check)) as boolean;
    } else {
      const controller = (t.controller = new AbortController());
      if (spec.abortAfterMs !== Infinity)
        sim.at(sim.time + spec.abortAfterMs, () => controller.abort(new Error('abort')));
      try {
        done = (yield* park.parkUntilAsync!(i32, STATE, timeout, controller.signal, check)) as boolean;
      } catch (err) {
        if (err !== controller.signal.reason) throw err;
        return yield* giveUp();
      } finally {
        t.controller = undefined;
      }
    }
    if (!done) return yield* giveUp();
    if (outcome === C.BROKE) return 'broken';
    return released(t, round);
  }

  function released(t: SimThread, round: number): Outcome {
    if (started[round] !== parties)
      throw new ModelError(`${t.name} released in round ${round} after ${started[round]} arrived`, sim);
    return 'follower';
  }

  function* body(spec: PartySpec, t: SimThread): Gen<void> {
    for (let round = 0; round < s.rounds; round++) {
      const outcome = yield* wait(spec, t, round);
      sim.log(`${t.name}: round ${round} ${outcome}`);
      (outcomes[round] ??= []).push(outcome);
      if (outcome === 'broken' || outcome === 'broke-it') return; // a broken barrier stays broken
    }
  }

  /** barrier.ts `abort()`, by a thread that is not a party. */
  function* aborter(steps: number): Gen<void> {
    for (let i = 0; i < steps; i++) yield;
    yield* bar.breakBarrier!(i32, base);
    sim.log('aborter: abort()');
  }

  barrierCoverage.runs++;
  s.parties.forEach((spec, k) => sim.spawn(`T${k + 1}:${spec.kind}`, (t) => body(spec, t)));
  if (s.abortAfterSteps !== undefined) sim.spawn('aborter', () => aborter(s.abortAfterSteps!));
  if ('walk' in s.schedule) runRandom(sim, s.schedule.walk);
  else runSchedule(sim, s.schedule.script);

  let brokenIn: number | undefined;
  outcomes.forEach((round, r) => {
    const count = (o: Outcome) => round.filter((x) => x === o).length;
    const fail = (what: string) => {
      throw new ModelError(`round ${r}: ${what} (${round.join(', ')})`, sim);
    };
    if (round.length !== parties) fail(`${round.length} of ${parties} parties finished it`);
    if (count('leader') + count('follower') === parties) {
      if (count('leader') !== 1) fail(`${count('leader')} leaders`);
      if (brokenIn !== undefined) fail(`released after round ${brokenIn} broke`);
      barrierCoverage.released++;
    } else if (count('broken') + count('broke-it') === parties) {
      brokenIn ??= r;
      barrierCoverage.broken++;
    } else fail('released for some parties and broken for others');
  });
  const st = i32[STATE]!;
  const lastGen = genOf(brokenIn ?? s.rounds);
  // abort() after the last round leaves the barrier broken with no round broken.
  const wantBroken = brokenIn !== undefined || s.abortAfterSteps !== undefined;
  if (
    (st & C.GEN_MASK!) !== lastGen ||
    ((st & C.BROKEN!) !== 0) !== wantBroken ||
    (!wantBroken && st !== lastGen)
  ) {
    throw new ModelError(
      `barrier word ${st.toString(16)} at the end, expected generation ${lastGen >> 16}${wantBroken ? ', broken' : ''}`,
      sim,
    );
  }
}

/** Loads a spin lasts in the model: a few, so that spins both catch and miss releases. */
const MODEL_SPIN_LIMIT = 6;

/**
 * The barrier and the wait loop as shipped (`mutate` edits raw-barrier.ts), except that SPIN_LIMIT is
 * MODEL_SPIN_LIMIT: thousands of loads would only spin out the step budget.
 */
export const barrierModels = (options: LoadOptions = {}): BarrierFactories => ({
  bar: compileModel('src/barrier/raw-barrier.ts', {
    ...options,
    mutate: (src) => {
      const limit = /export const SPIN_LIMIT = \d+;/;
      if (!limit.test(src)) throw new Error('raw-barrier.ts no longer declares SPIN_LIMIT as a number');
      const edited = src.replace(limit, `export const SPIN_LIMIT = ${MODEL_SPIN_LIMIT};`);
      return options.mutate ? options.mutate(edited) : edited;
    },
  }),
  park: compileModel('src/internal/park.ts', { generatorParams: ['check'] }),
});

export const barrierProperty = (f: BarrierFactories, maxParties?: number, preemptions?: number) =>
  fc.property(barrierScenario(maxParties, preemptions), (s) => checkBarrier(f, s));
