// The Mutex under the model checker: simulated threads run the real src/mutex/raw-mutex.ts (through
// compileModel) the way src/mutex/mutex.ts calls it, and the harness checks mutual exclusion, that no
// wake-up is lost (runSchedule), that every thread finishes, and that the lock word is clean at the end.
import fc from 'fast-check';
import { OWNER_CHECK_MS } from '../../src/internal/dead-threads.js';
import { Sim, type SimThread } from './sim.js';
import {
  ModelError,
  randomWalk,
  runRandom,
  runSchedule,
  schedule,
  type RandomWalk,
  type Switch,
} from './scheduler.js';
import { compileModel, type LoadOptions, type Model } from './transform.js';

/** How one simulated thread acquires the mutex. */
export type Kind = 'lock' | 'timed' | 'try' | 'async';

export interface ThreadSpec {
  readonly kind: Kind;
  readonly iterations: number;
  /** For 'timed' and 'async'. */
  readonly timeoutMs: number;
  /** For 'async': abort the wait after this long (simulated ms). */
  readonly abortAfterMs: number;
  /** With kills on: the iteration in whose critical section the thread dies (-1: none). */
  readonly diesAt: number;
}

export interface Scenario {
  readonly threads: readonly ThreadSpec[];
  /** Bounded preemptions at the script's switch points, or a random walk. */
  readonly schedule: { readonly script: readonly Switch[] } | { readonly walk: RandomWalk };
}

const threadSpec = fc.record({
  kind: fc.constantFrom<Kind>('lock', 'lock', 'timed', 'try', 'async'),
  iterations: fc.integer({ min: 1, max: 4 }),
  timeoutMs: fc.constantFrom(0, 1, 2, 5, Infinity),
  abortAfterMs: fc.constantFrom(0, 0.5, 2, Infinity),
  diesAt: fc.constantFrom(-1, -1, 0, 1),
});

/** Scenarios of 2..maxThreads threads under at most `preemptions` switch points. */
export const scenario = (maxThreads = 4, preemptions = 8): fc.Arbitrary<Scenario> =>
  fc.record({
    threads: fc.array(threadSpec, { minLength: 2, maxLength: maxThreads }),
    schedule: fc.oneof(fc.record({ script: schedule(preemptions) }), fc.record({ walk: randomWalk() })),
  });

/** What the runs exercised, to check that the interesting paths are reached (summed over runs). */
export const coverage = { runs: 0, acquired: 0, fair: 0, timedOut: 0, aborted: 0, ownerDied: 0 };

type Gen<T> = (...args: unknown[]) => Generator<unknown, T, unknown>;

/**
 * Runs one scenario against a compiled raw-mutex model; throws a ModelError on a violation. With
 * `kills`, threads die in their critical section (`diesAt`); with `waiterKills`, the schedule may also
 * kill a thread blocked in the slow path: its registration in WAITERS outlives it, as a real thread's
 * does, and must not keep the lock word from coming back to 0.
 */
export function checkMutex(
  factory: (sim: unknown) => Model,
  s: Scenario,
  options: { kills?: boolean; waiterKills?: boolean; deadOwnerOnly?: boolean } = {},
): void {
  const sim = new Sim();
  const m = factory(sim);
  const fn = <T>(name: string) => m[name] as Gen<T>;
  const i32 = new Int32Array(new ArrayBuffer(64));
  const base = 4; // not at 0, so that slot arithmetic is exercised
  let holder = 0; // lock-word id of the thread inside the critical section (0: none)
  const inSlowPath = new Set<SimThread>(); // threads in a blocking acquireSlow
  let deadWaiters = 0;

  function* critical(
    tid: number,
    t: SimThread,
    got: unknown,
    dies: boolean,
  ): Generator<unknown, void, unknown> {
    if (got === m.OWNER_DIED) {
      if (holder === 0 || !sim.dead.has(holder - 1))
        throw new ModelError(`${t.name} took over from a live owner`, sim);
      coverage.ownerDied++;
      holder = 0;
    }
    if (holder !== 0)
      throw new ModelError(`mutual exclusion violated: ${t.name} entered while ${holder - 2} held it`, sim);
    holder = tid;
    yield;
    if (dies) {
      sim.kill(t, tid - 1);
      yield; // never resumed
    }
    yield;
    if (holder !== tid)
      throw new ModelError(`mutual exclusion violated inside ${t.name}'s critical section`, sim);
    holder = 0;
  }

  /**
   * acquire.ts's tryLock(0) past the fast path: one check of the slow path if the lock word has no
   * owner, or a dead one (`deadOwnerOnly`: only a dead one, as before handoffs to dead waiters).
   */
  function* tryLockSlow(tid: number): Generator<unknown, unknown, unknown> {
    const state = yield* sim.atomics.load(i32, base + (m.STATE as number));
    const owner = state & (m.OWNER_MASK as number);
    const dead = owner !== 0 && sim.dead.has(owner - 1);
    if (!dead && (owner !== 0 || options.deadOwnerOnly)) return false;
    return yield* fn('acquireSlow')(i32, base, tid, 0);
  }

  function* body(spec: ThreadSpec, t: SimThread, tid: number): Generator<unknown, void, unknown> {
    for (let i = 0; i < spec.iterations; i++) {
      let got: unknown = yield* fn<boolean>('tryAcquireFast')(i32, base, tid);
      if (!got && spec.kind === 'try') got = yield* tryLockSlow(tid);
      const blocking = spec.kind === 'lock' || (spec.kind === 'timed' && spec.timeoutMs > 0);
      if (!got && blocking) {
        inSlowPath.add(t);
        got = yield* fn('acquireSlow')(i32, base, tid, spec.kind === 'lock' ? Infinity : spec.timeoutMs);
        inSlowPath.delete(t);
      }
      if (!got && spec.kind === 'async') {
        const controller = (t.controller = new AbortController());
        if (spec.abortAfterMs !== Infinity) {
          sim.at(sim.time + spec.abortAfterMs, () => {
            sim.log(`${t.name} aborts`);
            controller.abort(new Error(`${t.name} aborted`));
          });
        }
        try {
          got = yield* fn('acquireSlowAsync')(i32, base, tid, spec.timeoutMs, t.controller.signal);
        } catch (err) {
          if (err !== t.controller.signal.reason) throw err;
          coverage.aborted++;
          got = false;
        }
        t.controller = undefined;
      }
      if (!got) {
        if (spec.kind !== 'try') coverage.timedOut++;
        continue;
      }
      coverage.acquired++;
      if ((Atomics.load(i32, base + (m.STATE as number)) & (m.FAIR as number)) !== 0) coverage.fair++;
      sim.log(`${t.name} acquired (${JSON.stringify(got)})`);
      yield* critical(tid, t, got, options.kills === true && spec.diesAt === i);
      if (!(yield* fn<boolean>('release')(i32, base, tid)))
        throw new ModelError(`${t.name}: release refused`, sim);
      sim.log(`${t.name} released`);
    }
  }

  coverage.runs++;
  s.threads.forEach((spec, k) => {
    const threadId = k + 1;
    sim.spawn(`T${threadId}:${spec.kind}`, (t) => body(spec, t, threadId + 1));
  });
  const killHolderOrWaiter = (t: SimThread): number | undefined => {
    const tid = t.id + 2;
    if (options.kills && holder === tid) return t.id + 1;
    if (!options.waiterKills || !inSlowPath.has(t)) return undefined;
    deadWaiters++;
    // It may have claimed the lock in its last step: then it dies holding it.
    const owner = Atomics.load(i32, base + (m.STATE as number)) & (m.OWNER_MASK as number);
    if (owner === tid) holder = tid;
    sim.log(`${t.name} dies waiting`);
    return t.id + 1;
  };
  const events = {
    kill: options.kills || options.waiterKills ? killHolderOrWaiter : undefined,
  };
  if ('walk' in s.schedule) runRandom(sim, s.schedule.walk, events);
  else runSchedule(sim, s.schedule.script, events);
  if (options.waiterKills) {
    // Everyone live is done: tryLock() must get the lock now, whoever died waiting (no handoff may be
    // left for a dead waiter to claim), and give it back clean.
    const tid = s.threads.length + 2;
    sim.spawn('final tryLock()', function* (t) {
      const got = (yield* fn<boolean>('tryAcquireFast')(i32, base, tid)) || (yield* tryLockSlow(tid));
      if (!got) throw new ModelError('tryLock() failed on a mutex nobody live holds', sim);
      if (got === m.OWNER_DIED) holder = 0;
      yield* critical(tid, t, true, false);
      yield* fn<boolean>('release')(i32, base, tid);
    });
    runSchedule(sim, []);
  }
  const state = Atomics.load(i32, base + (m.STATE as number));
  const waiters = Atomics.load(i32, base + (m.WAITERS as number));
  const deadOwner = sim.dead.has((state & (m.OWNER_MASK as number)) - 1);
  // A thread that died in the slow path may still be counted in WAITERS (at most once each).
  if ((state !== 0 && !deadOwner) || waiters < 0 || waiters > deadWaiters) {
    throw new ModelError(
      `lock word not clean at the end: STATE=${state.toString(16)} WAITERS=${waiters}`,
      sim,
    );
  }
}

/**
 * The raw mutex as shipped, except that parked waiters do not poll for dead owners unless
 * `ownerCheck` is set: the poll would rescue a lost wake-up after 25 ms and hide it from the checker.
 * The poll interval is imported from internal/dead-threads.ts, and the model drops imports, so the
 * model declares it itself.
 */
export const rawMutex = (options: LoadOptions & { ownerCheck?: boolean } = {}) =>
  compileModel('src/mutex/raw-mutex.ts', {
    mutate: (src) => {
      const edited = options.mutate ? options.mutate(src) : src;
      if (!/import \{[^}]*\bOWNER_CHECK_MS\b[^}]*\} from '\.\.\/internal\/dead-threads\.js';/.test(src)) {
        throw new Error('raw-mutex.ts no longer imports OWNER_CHECK_MS from internal/dead-threads.ts');
      }
      const poll = options.ownerCheck ? String(OWNER_CHECK_MS) : 'Infinity';
      return `${edited}\nconst OWNER_CHECK_MS = ${poll};\n`;
    },
  });

/** Property: every scenario passes against `factory`. */
export const mutexProperty = (
  factory: (sim: unknown) => Model,
  maxThreads?: number,
  preemptions?: number,
  kills = false,
  waiterKills = false,
  deadOwnerOnly = false,
) =>
  fc.property(scenario(maxThreads, preemptions), (s) =>
    checkMutex(factory, s, { kills, waiterKills, deadOwnerOnly }),
  );
