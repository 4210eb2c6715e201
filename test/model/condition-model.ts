// The Condition under the model checker: simulated threads run the real src/condition/raw-condition.ts,
// the Mutex (src/mutex/raw-mutex.ts) it is bound to and the shared wait loop src/internal/park.ts (all
// through compileModel), driven the way src/condition/condition.ts drives them (mirrored below: the
// class also checks guards and re-entrancy, which the transform does not model). Producers add tokens
// under the mutex and notify one or all waiters; consumers wait for a token (blocking, timed, or async
// with timeouts and aborts) and take it, or leave for good when a wait times out or is aborted; or,
// after an abort, stay and wait on with blocking waits (so the thread never returns to its event loop).
// Tokens are produced only while consumers still want more than are there, so a consumer that sleeps
// forever while a token waits is a lost wake-up: the classic notify(1) case where the one waiter woken
// leaves without passing the wake-up on, or where an aborted async wait, still in the waiter list,
// swallows the notify meant for the blocking wait its own thread makes next.
import fc from 'fast-check';
import { Sim, SimPromise, type SimThread } from './sim.js';
import { ModelError, randomWalk, runRandom, runSchedule, schedule } from './scheduler.js';
import { compileModel, type LoadOptions, type Model } from './transform.js';
import { rawMutex, type Scenario as MutexScenario } from './mutex-model.js';

export interface ConsumerSpec {
  readonly kind: 'wait' | 'timed' | 'async';
  readonly iterations: number;
  readonly timeoutMs: number;
  readonly abortAfterMs: number;
  /** After an abort: leave for good, or wait on with blocking waits (untimed). @default 'leave' */
  readonly afterAbort?: 'leave' | 'block';
}

export interface CondScenario {
  readonly consumers: readonly ConsumerSpec[];
  /** Producers: how each notifies (1: notify(), Infinity: notifyAll()), and whether under the mutex. */
  readonly producers: readonly { readonly count: number; readonly underLock: boolean }[];
  readonly schedule: MutexScenario['schedule'];
}

export const condScenario = (maxConsumers = 3, preemptions = 8): fc.Arbitrary<CondScenario> =>
  fc.record({
    consumers: fc.array(
      fc.record({
        kind: fc.constantFrom<ConsumerSpec['kind']>('wait', 'timed', 'async', 'async'),
        iterations: fc.integer({ min: 1, max: 3 }),
        timeoutMs: fc.constantFrom(1, 5, Infinity),
        abortAfterMs: fc.constantFrom(0.5, 2, Infinity),
        afterAbort: fc.constantFrom<'leave' | 'block'>('leave', 'leave', 'block'),
      }),
      { minLength: 1, maxLength: maxConsumers },
    ),
    producers: fc.array(fc.record({ count: fc.constantFrom(1, 1, Infinity), underLock: fc.boolean() }), {
      minLength: 1,
      maxLength: 2,
    }),
    schedule: fc.oneof(fc.record({ script: schedule(preemptions) }), fc.record({ walk: randomWalk() })),
  });

/** What the runs exercised (summed over runs). */
export const condCoverage = { runs: 0, consumed: 0, timedOut: 0, aborted: 0, evicted: 0, rejoined: 0 };

/**
 * What an aborted async wait does about its entry left in the waiter list: evict it at once, as
 * condition.ts does; or 'pass-on', the design it replaced: pass on a notify the entry absorbs later, from
 * a callback on the aborting thread's event loop (so not while that thread is in a blocking wait).
 */
export type AbandonPolicy = 'evict' | 'pass-on';

type Gen<T> = Generator<unknown, T, unknown>;
type Fns = Record<string, (...a: unknown[]) => Gen<unknown>>;
export type CondFactories = {
  cond: (sim: unknown) => Model;
  mutex: (sim: unknown) => Model;
  park: (sim: unknown) => Model;
};

/** Runs one scenario against compiled raw-condition, raw-mutex and park models. */
export function checkCondition(f: CondFactories, s: CondScenario, abandon: AbandonPolicy = 'evict'): void {
  const sim = new Sim();
  const condModel = f.cond(sim);
  const mutexModel = f.mutex(sim);
  const cond = condModel as Fns;
  const mx = mutexModel as Fns;
  const park = f.park(sim) as Fns;
  const i32 = new Int32Array(new ArrayBuffer(64));
  const mbase = 2; // the mutex
  const cbase = 8; // the condition
  const SEQ = cbase + (condModel.SEQ as number);
  let holder: SimThread | undefined;
  let tokens = 0;

  function* lock(t: SimThread, tid: number, async: boolean): Gen<void> {
    if (!(yield* mx.tryAcquireFast!(i32, mbase, tid))) {
      if (async) yield* mx.acquireSlowAsync!(i32, mbase, tid, Infinity, undefined);
      else yield* mx.acquireSlow!(i32, mbase, tid, Infinity);
    }
    if (holder)
      throw new ModelError(`mutual exclusion violated: ${t.name} entered while ${holder.name} held it`, sim);
    holder = t;
  }

  function* unlock(tid: number): Gen<void> {
    holder = undefined;
    if (!(yield* mx.release!(i32, mbase, tid))) throw new ModelError('mutex release refused', sim);
  }

  /** condition.ts's eviction of an aborted wait (passed to waitOnceAsync as `onAbandoned`). */
  function* evictAbandoned(): Gen<void> {
    condCoverage.evicted++;
    yield* cond.evict!(i32, cbase);
  }

  /** Resolved when a consumer in its blocking phase (after an abort) is done: its event loop runs. */
  const eventLoopFree = new Map<SimThread, SimPromise>();

  /**
   * The replaced design ('pass-on'): an abandoned wait that absorbed a notify passes it on from a
   * callback, which runs on its thread's event loop: only once that thread is not in a blocking wait.
   */
  const passOnLater = (t: SimThread) => () => {
    sim.spawn('onAbsorbed', function* () {
      const free = eventLoopFree.get(t);
      if (free) yield* sim.await(free);
      yield* cond.signal!(i32, cbase, 1);
    });
  };

  /** condition.ts `wait` / `waitAsync` (mutex held): false on timeout; throws the abort reason. */
  function* wait(kind: ConsumerSpec['kind'], spec: ConsumerSpec, t: SimThread, tid: number): Gen<boolean> {
    const timeout = kind === 'wait' ? Infinity : spec.timeoutMs;
    const seq = yield* cond.enter!(i32, cbase);
    yield* unlock(tid);
    if (kind !== 'async') {
      try {
        return (yield* sim.waitSync(i32, SEQ, seq as number, timeout)) !== 'timed-out';
      } finally {
        yield* cond.leave!(i32, cbase);
        yield* lock(t, tid, false);
      }
    }
    const controller = (t.controller = new AbortController());
    if (spec.abortAfterMs !== Infinity)
      sim.at(sim.time + spec.abortAfterMs, () => {
        sim.log(`${t.name} aborts`);
        controller.abort(new Error('abort'));
      });
    try {
      // As condition.ts: one wait; only 'timed-out' is not a wake-up.
      const outcome =
        abandon === 'evict'
          ? yield* park.waitOnceAsync!(i32, SEQ, seq, timeout, controller.signal, undefined, evictAbandoned)
          : yield* park.waitOnceAsync!(i32, SEQ, seq, timeout, controller.signal, passOnLater(t));
      return outcome !== 'timed-out';
    } finally {
      t.controller = undefined;
      yield* cond.leave!(i32, cbase);
      yield* lock(t, tid, true);
    }
  }

  /** Tokens still wanted by consumers that have not left (changed under the mutex). */
  let demand = s.consumers.reduce((sum, c) => sum + c.iterations, 0);

  /**
   * Takes `iterations` tokens; leaves for good (its demand with it) when a wait times out or aborts, or
   * after an abort goes on with blocking waits (`afterAbort: 'block'`).
   */
  function* consumer(spec: ConsumerSpec, t: SimThread, tid: number): Gen<void> {
    let kind = spec.kind;
    try {
      for (let i = 0; i < spec.iterations; i++) {
        yield* lock(t, tid, kind === 'async');
        let gaveUp = false;
        while (tokens === 0 && !gaveUp) {
          try {
            if (!(yield* wait(kind, spec, t, tid))) {
              condCoverage.timedOut++;
              gaveUp = true;
            }
          } catch (err) {
            if (!(err instanceof Error && /abort/.test(err.message))) throw err; // either abort reason
            condCoverage.aborted++;
            if (spec.afterAbort === 'block') {
              sim.log(`${t.name} waits on, blocking`);
              condCoverage.rejoined++;
              kind = 'wait';
              eventLoopFree.set(t, new SimPromise());
            } else {
              gaveUp = true;
            }
          }
        }
        if (gaveUp) {
          sim.log(`${t.name} leaves`);
          demand -= spec.iterations - i;
          yield* unlock(tid);
          return;
        }
        tokens--;
        demand--;
        condCoverage.consumed++;
        yield* unlock(tid);
      }
    } finally {
      eventLoopFree.get(t)?.resolve(undefined);
    }
  }

  /**
   * Adds a token, and notifies, while fewer tokens wait than consumers still want: so no token is
   * produced for a waiter that left, and a notify that a leaving waiter swallowed is not made good by a
   * spare one (it must be passed on).
   */
  function* producer(count: number, underLock: boolean, t: SimThread, tid: number): Gen<void> {
    for (;;) {
      yield* lock(t, tid, false);
      if (tokens >= demand) return yield* unlock(tid);
      tokens++;
      if (underLock) yield* cond.signal!(i32, cbase, count);
      yield* unlock(tid);
      if (!underLock) yield* cond.signal!(i32, cbase, count);
    }
  }

  condCoverage.runs++;
  let tid = 2;
  s.consumers.forEach((spec, k) => {
    const id = tid++;
    sim.spawn(`C${k + 1}:${spec.kind}`, (t) => consumer(spec, t, id));
  });
  s.producers.forEach(({ count, underLock }, k) => {
    const id = tid++;
    sim.spawn(`P${k + 1}:notify(${count})`, (t) => producer(count, underLock, t, id));
  });
  if ('walk' in s.schedule) runRandom(sim, s.schedule.walk);
  else runSchedule(sim, s.schedule.script);
  const waiters = i32[cbase + (condModel.WAITERS as number)];
  const state = i32[mbase + (mutexModel.STATE as number)];
  if (waiters !== 0 || state !== 0) {
    throw new ModelError(`not clean at the end: WAITERS=${waiters} mutex STATE=${state?.toString(16)}`, sim);
  }
}

/** The condition, its mutex and the wait loop as shipped (`mutate` edits raw-condition.ts, `mutatePark` park.ts). */
export const conditionModels = (
  options: LoadOptions & { mutatePark?: LoadOptions['mutate'] } = {},
): CondFactories => ({
  cond: compileModel('src/condition/raw-condition.ts', { mutate: options.mutate }),
  mutex: rawMutex(),
  park: compileModel('src/internal/park.ts', {
    generatorParams: ['check', 'onAbandoned'],
    mutate: options.mutatePark,
  }),
});

export const conditionProperty = (
  f: CondFactories,
  maxConsumers?: number,
  preemptions?: number,
  abandon?: AbandonPolicy,
) => fc.property(condScenario(maxConsumers, preemptions), (s) => checkCondition(f, s, abandon));
