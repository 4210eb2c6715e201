// A robust Semaphore under the model checker: simulated threads run the real raw-semaphore.ts, the real
// holder table src/internal/holders.ts and the wait loop park.ts, driven the way semaphore.ts and
// robust.ts drive them: record after taking, unrecord before giving, and a waiter's check that takes,
// else gives back dead holders' permits and takes again, polling every OWNER_CHECK_MS. Some threads die
// in their critical section, holding their permits. Checked: live threads never hold more than exist
// beside what dead ones still hold; nothing is given back that no dead thread held; every live thread
// finishes (a waiter short of a dead holder's permits must recover them); at the end the count plus
// what dead threads still hold is the initial count, and nobody is registered as waiting.
import fc from 'fast-check';
import { OWNER_CHECK_MS } from '../../src/internal/dead-threads.js';
import { Sim, type SimThread } from './sim.js';
import { ModelError, randomWalk, runRandom, runSchedule, schedule } from './scheduler.js';
import { compileModel, type LoadOptions, type Model } from './transform.js';
import type { SemScenario, SemThreadSpec } from './semaphore-model.js';

export interface RobustThreadSpec extends SemThreadSpec {
  /** The iteration in whose critical section the thread dies holding its permits (-1: none). */
  readonly diesAt: number;
}

export interface RobustScenario {
  readonly threads: readonly RobustThreadSpec[];
  readonly schedule: SemScenario['schedule'];
}

/** Permits the simulated semaphore starts with (and its max). */
const PERMITS = 3;
/**
 * Entries of the simulated holder table: fewer than the real 64, so a scan is a few steps, but one per
 * thread of the largest run (6). A thread that finds the table full holds untracked, and its permits
 * are lost if it dies (the documented limit); with fewer entries the checker finds exactly that.
 */
const ENTRIES = 6;

export const robustScenario = (maxThreads = 4, preemptions = 8): fc.Arbitrary<RobustScenario> =>
  fc.record({
    threads: fc.array(
      fc.record({
        kind: fc.constantFrom<SemThreadSpec['kind']>('acquire', 'acquire', 'timed', 'try', 'async'),
        permits: fc.integer({ min: 1, max: PERMITS }),
        iterations: fc.integer({ min: 1, max: 3 }),
        timeoutMs: fc.constantFrom(1, 30, Infinity),
        abortAfterMs: fc.constantFrom(0.5, 40, Infinity),
        diesAt: fc.constantFrom(-1, -1, 0, 1),
      }),
      { minLength: 2, maxLength: Math.min(maxThreads, ENTRIES) },
    ),
    schedule: fc.oneof(fc.record({ script: schedule(preemptions) }), fc.record({ walk: randomWalk() })),
  });

/** What the runs exercised (summed over runs), to check that recovery is reached at all. */
export const robustCoverage = { runs: 0, deaths: 0, reclaimed: 0, ownerDied: 0 };

type Gen<T> = Generator<unknown, T, unknown>;
type Fn = (...a: unknown[]) => Gen<unknown>;
type Factories = {
  sem: (sim: unknown) => Model;
  holders: (sim: unknown) => Model;
  park: (sim: unknown) => Model;
};

/** Runs one scenario; throws a ModelError on a violation. */
export function checkRobustSemaphore(f: Factories, s: RobustScenario): void {
  const sim = new Sim();
  // holders.ts takes the thread's id from the runtime; here from the simulated thread running it
  // (thread k has runtime id k + 1, so TID k + 2, as the kill below records).
  const holdersSim = { atomics: sim.atomics, isThreadDead: sim.isThreadDead, tid: () => sim.current!.id + 2 };
  const sem = f.sem(sim) as Record<string, Fn> & Record<string, number>;
  const holders = f.holders(holdersSim) as Record<string, Fn> & Record<string, number>;
  const park = f.park(sim) as Record<string, Fn>;
  const COUNT = sem.COUNT as unknown as number;
  const WAITERS = sem.WAITERS as unknown as number;
  const MAX = sem.MAX as unknown as number;
  const base = 2;
  const table = base + (sem.HOLDERS as unknown as number);
  const i32 = new Int32Array(new ArrayBuffer(4 * (base + (sem.SLOTS as unknown as number))));
  i32[base + COUNT] = PERMITS;
  i32[base + MAX] = PERMITS;
  let liveHeld = 0; // permits held by live threads
  let deadHeld = 0; // permits dead threads held and nobody has given back yet

  // The give-back of reclaimDeadHolders (robust.ts's `reclaim`), checked against what died.
  const giveBack = function* (n: unknown): Gen<void> {
    deadHeld -= n as number;
    robustCoverage.reclaimed++;
    if (deadHeld < 0) throw new ModelError(`gave back ${n as number} permits no dead thread held`, sim);
    yield* sem.restore!(i32, base, n);
  };

  function* acquire(spec: RobustThreadSpec, t: SimThread): Gen<'taken' | 'owner-died' | false> {
    const n = spec.permits;
    if ((yield* sem.tryTake!(i32, base, n)) === null) return 'taken';
    let reclaimed = false;
    // RobustAttempt.check
    const check = function* (): Gen<unknown> {
      const seen = yield* sem.tryTake!(i32, base, n);
      if (seen === null || (yield* holders.reclaimDeadHolders!(i32, table, giveBack)) === 0) return seen;
      reclaimed = true;
      return yield* sem.tryTake!(i32, base, n);
    };
    let taken: boolean;
    if (spec.kind === 'try') taken = (yield* check()) === null;
    else if (spec.kind !== 'async') {
      const timeout = spec.kind === 'acquire' ? Infinity : spec.timeoutMs;
      const wait = () =>
        park.parkUntil!(i32, base + COUNT, timeout, 'Semaphore.acquire()', check, OWNER_CHECK_MS);
      taken = (yield* sem.registered!(i32, base, wait)) as boolean;
    } else {
      const controller = (t.controller = new AbortController());
      if (spec.abortAfterMs !== Infinity)
        sim.at(sim.time + spec.abortAfterMs, () => controller.abort(new Error('abort')));
      yield* sim.atomics.add(i32, base + WAITERS, 1);
      try {
        taken = (yield* park.parkUntilAsync!(
          i32,
          base + COUNT,
          spec.timeoutMs,
          controller.signal,
          check,
          undefined,
          OWNER_CHECK_MS,
        )) as boolean;
      } catch (err) {
        if (err !== controller.signal.reason) throw err;
        taken = false;
      } finally {
        yield* sim.atomics.sub(i32, base + WAITERS, 1);
        t.controller = undefined;
      }
    }
    return taken ? (reclaimed ? 'owner-died' : 'taken') : false;
  }

  function* body(spec: RobustThreadSpec, t: SimThread): Gen<void> {
    let entry: number | undefined; // Holdings: this thread's entry, claimed on first use
    let recycled = false;
    const claim = function* (): Gen<number> {
      if (entry === undefined) {
        const onRecycle = function* (n: unknown): Gen<void> {
          recycled = true;
          yield* giveBack(n);
        };
        entry = (yield* holders.holderEntry!(i32, table, onRecycle)) as number;
      }
      return entry;
    };
    for (let i = 0; i < spec.iterations; i++) {
      const got = yield* acquire(spec, t);
      if (!got) continue;
      // #acquired: record after taking
      yield* holders.recordHeld!(i32, yield* claim(), spec.permits);
      if (got === 'owner-died' || recycled) robustCoverage.ownerDied++;
      recycled = false;
      liveHeld += spec.permits;
      if (liveHeld + deadHeld > PERMITS)
        throw new ModelError(
          `${liveHeld} permits held by live threads and ${deadHeld} by dead ones, only ${PERMITS} exist`,
          sim,
        );
      yield;
      if (spec.diesAt === i) {
        liveHeld -= spec.permits;
        deadHeld += spec.permits;
        robustCoverage.deaths++;
        sim.kill(t, t.id + 1);
        yield; // never resumed
      }
      liveHeld -= spec.permits;
      // release: unrecord before giving
      if (!(yield* holders.recordReleased!(i32, yield* claim(), spec.permits)))
        throw new ModelError(`${t.name}: its own permits were not recorded`, sim);
      if (!(yield* sem.give!(i32, base, spec.permits)))
        throw new ModelError(`${t.name}: release refused`, sim);
    }
  }

  robustCoverage.runs++;
  s.threads.forEach((spec, k) =>
    sim.spawn(
      `T${k + 1}:${spec.kind}(${spec.permits})${spec.diesAt >= 0 ? `dies@${spec.diesAt}` : ''}`,
      (t) => body(spec, t),
    ),
  );
  if ('walk' in s.schedule) runRandom(sim, s.schedule.walk);
  else runSchedule(sim, s.schedule.script);
  const count = i32[base + COUNT]!;
  const waiters = i32[base + WAITERS];
  if (count + deadHeld !== PERMITS || waiters !== 0) {
    throw new ModelError(
      `not clean at the end: COUNT=${count} dead-held=${deadHeld} WAITERS=${waiters}`,
      sim,
    );
  }
}

/** Replaces `from` with `to` in `src`, failing if the source no longer contains it. */
const edit = (src: string, from: string | RegExp, to: string, what: string): string => {
  if (typeof from === 'string' ? !src.includes(from) : !from.test(src)) {
    throw new Error(`robust semaphore model: ${what} changed; update the harness`);
  }
  return src.replace(from, to);
};

/**
 * The three files as shipped, with what the model needs changed: a table of ENTRIES entries, the
 * thread id taken from the simulated thread, and reclaimDeadHolders' local give-back closure made a
 * generator (the rewrite suspends only in generators). `mutate` edits holders.ts.
 */
export const robustModels = (options: LoadOptions = {}): Factories => ({
  sem: compileModel('src/semaphore/raw-semaphore.ts', {
    generatorParams: ['wait'],
    mutate: (src) => `const HOLDER_SLOTS = ${ENTRIES * 2};\n${src}`,
  }),
  holders: compileModel('src/internal/holders.ts', {
    generatorParams: ['giveBack', 'give'],
    mutate: (src) => {
      let out = options.mutate ? options.mutate(src) : src;
      out = edit(
        out,
        'export const HOLDER_ENTRIES = 64;',
        `export const HOLDER_ENTRIES = ${ENTRIES};`,
        'HOLDER_ENTRIES',
      );
      out = edit(out, 'const TID = threadId + 1;', '', 'TID');
      out = out.replace(/\bTID\b/g, '__sim.tid()');
      return edit(out, 'const give = (n: number): void => {', 'const give = function* (n: number) {', 'give');
    },
  }),
  park: compileModel('src/internal/park.ts', { generatorParams: ['check'] }),
});

export const robustProperty = (f: Factories, maxThreads?: number, preemptions?: number) =>
  fc.property(robustScenario(maxThreads, preemptions), (s) => checkRobustSemaphore(f, s));
