// The RwLock under the model checker: simulated threads run the real src/rwlock/raw-rwlock.ts and the
// shared wait loop src/internal/park.ts (both through compileModel), driven the way
// src/rwlock/acquire.ts drives them (mirrored below; acquire.ts also builds guards and errors, which the
// transform does not model). The harness checks that readers and writers never overlap, that no
// wake-up is lost (also when a timed-out or aborted writer must pass one on, and when a thread whose
// async wait was aborted goes on with blocking waits, so that its event loop no longer runs, while the
// aborted wait may still sit in the waiter list), that every thread
// finishes (so writers with no timeout are not starved: reader iterations are bounded, the schedule is
// not), that no read lock is granted while a writer has flagged that it waits (writer preference, what
// keeps a stream of readers from starving writers), and that the lock word is clean at the end.
import fc from 'fast-check';
import { Sim, type SimThread } from './sim.js';
import { ModelError, randomWalk, runRandom, runSchedule, schedule } from './scheduler.js';
import { compileModel, type LoadOptions, type Model } from './transform.js';
import { HOLDER_SLOTS } from '../../src/internal/holders.js';
import { OWNER_CHECK_MS } from '../../src/internal/dead-threads.js';
import type { Scenario as MutexScenario } from './mutex-model.js';

export interface RwThreadSpec {
  readonly mode: 'read' | 'write';
  readonly kind: 'lock' | 'timed' | 'try' | 'async';
  readonly iterations: number;
  readonly timeoutMs: number;
  readonly abortAfterMs: number;
  /** After an abort: give up that acquisition, or wait on with blocking waits (untimed). @default 'leave' */
  readonly afterAbort?: 'leave' | 'block';
}

export interface RwScenario {
  readonly threads: readonly RwThreadSpec[];
  readonly schedule: MutexScenario['schedule'];
}

export const rwScenario = (maxThreads = 4, preemptions = 8): fc.Arbitrary<RwScenario> =>
  fc.record({
    threads: fc.array(
      fc.record({
        mode: fc.constantFrom<RwThreadSpec['mode']>('read', 'write'),
        kind: fc.constantFrom<RwThreadSpec['kind']>('lock', 'lock', 'timed', 'try', 'async'),
        iterations: fc.integer({ min: 1, max: 3 }),
        timeoutMs: fc.constantFrom(1, 5, Infinity),
        abortAfterMs: fc.constantFrom(0.5, 2, Infinity),
        afterAbort: fc.constantFrom<'leave' | 'block'>('leave', 'leave', 'block'),
      }),
      { minLength: 2, maxLength: maxThreads },
    ),
    schedule: fc.oneof(fc.record({ script: schedule(preemptions) }), fc.record({ walk: randomWalk() })),
  });

/** What the runs exercised (summed over runs). */
export const rwCoverage = {
  runs: 0,
  reads: 0,
  writes: 0,
  gaveUp: 0,
  evicted: 0,
  rejoined: 0,
  readerDied: 0,
  gaveBack: 0,
  spun: 0,
};

type Gen<T> = Generator<unknown, T, unknown>;
type Fns = Record<string, (...a: unknown[]) => Gen<unknown>>;
export type RwFactories = { rw: (sim: unknown) => Model; park: (sim: unknown) => Model };

/**
 * Runs one scenario against compiled raw-rwlock and park models. With `kills`, a reader may die inside
 * its critical section: each reader counts its read locks in its own slot of a table (a mirror of
 * internal/holders.ts, one entry per thread, emptied with an exchange), waiters poll every
 * OWNER_CHECK_MS and their check gives back the dead readers' locks with `giveBackReads`, as
 * acquire.ts does (I5 of raw-rwlock). The polling would also rescue a lost wake-up, so the runs
 * without kills keep checking those.
 */
export function checkRwLock(f: RwFactories, s: RwScenario, options: { kills?: boolean } = {}): void {
  const sim = new Sim();
  const rwModel = f.rw(sim);
  const rw = rwModel as Fns;
  const C = rwModel as Record<string, number>;
  const park = f.park(sim) as Fns;
  const i32 = new Int32Array(new ArrayBuffer(64));
  const base = 3;
  const STATE = base + C.STATE!;
  const WRITER_SEQ = base + C.WRITER_SEQ!;
  const WRITER_WAITERS = base + C.WRITER_WAITERS!;
  const readLocked = rwModel.readLocked as (s: number) => boolean;
  let readers = 0;
  let writer = false;
  const kills = options.kills === true;
  const poll = kills ? OWNER_CHECK_MS : undefined;
  // The holder table's mirror: read locks recorded per thread (thread k's runtime id is k + 1).
  const held = new Int32Array(new ArrayBuffer(4 * s.threads.length));
  const inside = new Set<SimThread>(); // readers in their critical section (may be killed there)

  /** acquire.ts `reclaimDeadReaders`: gives back what the dead readers' entries record. */
  function* reclaim(): Gen<void> {
    if (!kills || !readLocked(yield* sim.atomics.load(i32, STATE))) return;
    for (let k = 0; k < held.length; k++) {
      if (!sim.isThreadDead(k + 1) || Atomics.load(held, k) === 0) continue;
      const n = yield* sim.atomics.exchange(held, k, 0);
      if (n > 0) {
        rwCoverage.gaveBack++;
        yield* rw.giveBackReads!(i32, base, n);
      }
    }
  }

  /** acquire.ts `fast` (RwLock's inlined fast paths call the same two functions). */
  function* fast(mode: RwThreadSpec['mode']): Gen<boolean> {
    if (mode === 'write') return (yield* rw.tryWriteFast!(i32, base)) as boolean;
    return (yield* rw.tryReadFast!(i32, base)) as boolean;
  }

  /** acquire.ts's eviction of an aborted writer's wait (passed to parkUntilAsync as `onAbandoned`). */
  function* evictAbandoned(): Gen<void> {
    rwCoverage.evicted++;
    yield* rw.evictWriters!(i32, base);
  }

  /** acquire.ts `lockSync` / `lockAsync`: whether the lock was acquired, or 'aborted'. */
  function* acquire(spec: RwThreadSpec, t: SimThread, kind: RwThreadSpec['kind']): Gen<boolean | 'aborted'> {
    if (yield* fast(spec.mode)) return true;
    if (kind === 'try') return false;
    if (kind !== 'async') {
      // acquire.ts lockSlow: a blocking or timed acquisition spins before it queues.
      const spun = (yield* (spec.mode === 'read' ? rw.spinRead! : rw.spinWrite!)(i32, base)) as boolean;
      if (spun) {
        rwCoverage.spun++;
        return true;
      }
    }
    const timeout = kind === 'lock' ? Infinity : spec.timeoutMs;
    const controller = kind === 'async' ? (t.controller = new AbortController()) : undefined;
    if (controller && spec.abortAfterMs !== Infinity)
      sim.at(sim.time + spec.abortAfterMs, () => controller.abort(new Error('abort')));
    const wait = (index: number, check: () => Gen<number | null>, onAbandoned?: () => Gen<void>) =>
      controller
        ? park.parkUntilAsync!(i32, index, timeout, controller.signal, check, onAbandoned, poll)
        : park.parkUntil!(i32, index, timeout, 'RwLock', check, poll);
    let ok = false;
    try {
      if (spec.mode === 'read') {
        const check = function* () {
          yield* reclaim();
          return (yield* rw.tryRead!(i32, base)) as number | null;
        };
        ok = (yield* wait(STATE, check)) as boolean;
        return ok;
      }
      yield* sim.atomics.add(i32, WRITER_WAITERS, 1);
      try {
        const check = function* () {
          yield* reclaim();
          return (yield* rw.tryWrite!(i32, base)) as number | null;
        };
        ok = (yield* wait(WRITER_SEQ, check, evictAbandoned)) as boolean;
      } finally {
        yield* sim.atomics.sub(i32, WRITER_WAITERS, 1);
        if (!ok) yield* rw.passOnWriter!(i32, base); // I3 of raw-rwlock
      }
      return ok;
    } catch (err) {
      if (!controller || err !== controller.signal.reason) throw err;
      return 'aborted';
    } finally {
      t.controller = undefined;
    }
  }

  function* body(spec: RwThreadSpec, t: SimThread, k: number): Gen<void> {
    let kind = spec.kind;
    for (let i = 0; i < spec.iterations; i++) {
      let acquired = yield* acquire(spec, t, kind);
      if (acquired === 'aborted' && spec.afterAbort === 'block') {
        // Waits on, blocking: this thread's event loop runs no more, while its aborted wait may still
        // be in the waiter list ahead of the blocking one.
        sim.log(`${t.name} waits on, blocking`);
        rwCoverage.rejoined++;
        kind = 'lock';
        acquired = yield* acquire(spec, t, kind);
      }
      if (acquired !== true) {
        if (kind !== 'try') rwCoverage.gaveUp++;
        continue;
      }
      if (writer || (spec.mode === 'write' && readers > 0)) {
        throw new ModelError(
          `exclusion violated: ${t.name} entered with ${writer ? 'a writer' : `${readers} readers`}`,
          sim,
        );
      }
      if (spec.mode === 'write') {
        rwCoverage.writes++;
        writer = true;
        yield;
        yield;
        writer = false;
        yield* sim.atomics.store(i32, base + C.OWNER!, 0);
        yield* rw.writeUnlock!(i32, base);
      } else {
        rwCoverage.reads++;
        // Checked in the step of the compareExchange that granted it (no step in between).
        if ((i32[STATE]! & C.WRITERS_WAITING!) !== 0)
          throw new ModelError(`writer preference violated: ${t.name} read-locked while a writer waits`, sim);
        if (kills) yield* sim.atomics.add(held, k, 1); // acquire.ts readGuard: record after acquiring
        readers++;
        inside.add(t);
        yield;
        yield;
        inside.delete(t);
        readers--;
        if (kills) yield* sim.atomics.sub(held, k, 1); // unrecord before releasing
        if (!(yield* rw.readUnlock!(i32, base))) throw new ModelError(`${t.name}: read unlock refused`, sim);
      }
    }
  }

  rwCoverage.runs++;
  s.threads.forEach((spec, k) => sim.spawn(`T${k + 1}:${spec.mode}:${spec.kind}`, (t) => body(spec, t, k)));
  const events = {
    // A reader dies holding its read lock: it no longer counts for exclusion, its lock is given back.
    kill: kills
      ? (t: SimThread) => {
          if (!inside.delete(t)) return undefined;
          readers--;
          rwCoverage.readerDied++;
          return t.id + 1;
        }
      : undefined,
  };
  if ('walk' in s.schedule) runRandom(sim, s.schedule.walk, events);
  else runSchedule(sim, s.schedule.script, events);
  const state = i32[STATE]!;
  const writers = i32[WRITER_WAITERS]!;
  // Read locks of dead readers that no waiter came to give back stay held, possibly with stale flags.
  const leftover = held.reduce((a, b) => a + b, 0);
  if ((leftover === 0 ? state !== 0 : (state & C.LOCK_MASK!) !== leftover) || writers !== 0) {
    throw new ModelError(
      `lock word not clean at the end: STATE=${state.toString(16)} WRITERS=${writers}`,
      sim,
    );
  }
}

/** Loads a spin lasts in the model: a few, so that spins both catch and miss releases. */
const MODEL_SPIN_LIMIT = 6;

/**
 * The rwlock and the wait loop as shipped (`mutate` edits raw-rwlock.ts), except that SPIN_LIMIT is
 * MODEL_SPIN_LIMIT: a hundred loads would only spin out the step budget. raw-rwlock.ts sizes its
 * layout with HOLDER_SLOTS from internal/holders.ts, and the model drops imports, so the model
 * declares it itself (before the file's own top-level constants use it).
 */
export const rwlockModels = (options: LoadOptions = {}): RwFactories => ({
  rw: compileModel('src/rwlock/raw-rwlock.ts', {
    ...options,
    mutate: (src) => {
      if (!/import \{[^}]*\bHOLDER_SLOTS\b[^}]*\} from '\.\.\/internal\/holders\.js';/.test(src)) {
        throw new Error('raw-rwlock.ts no longer imports HOLDER_SLOTS from internal/holders.ts');
      }
      const limit = /export const SPIN_LIMIT = \d+;/;
      if (!limit.test(src)) throw new Error('raw-rwlock.ts no longer declares SPIN_LIMIT as a number');
      const spinCut = src.replace(limit, `export const SPIN_LIMIT = ${MODEL_SPIN_LIMIT};`);
      const edited = options.mutate ? options.mutate(spinCut) : spinCut;
      return `const HOLDER_SLOTS = ${HOLDER_SLOTS};\n${edited}`;
    },
  }),
  park: compileModel('src/internal/park.ts', { generatorParams: ['check', 'onAbandoned'] }),
});

export const rwlockProperty = (f: RwFactories, maxThreads?: number, preemptions?: number, kills = false) =>
  fc.property(rwScenario(maxThreads, preemptions), (s) => checkRwLock(f, s, { kills }));
