// The RwLock under the model checker: simulated threads run the real src/rwlock/raw-rwlock.ts and the
// shared wait loop src/internal/park.ts (both through compileModel), driven the way
// src/rwlock/acquire.ts drives them (mirrored below; acquire.ts also builds guards and errors, which the
// transform does not model). The harness checks that readers and writers never overlap, that no
// wake-up is lost (also when a timed-out or aborted writer must pass one on), that every thread
// finishes (so writers with no timeout are not starved: reader iterations are bounded, the schedule is
// not), that no read lock is granted while a writer has flagged that it waits (writer preference, what
// keeps a stream of readers from starving writers), and that the lock word is clean at the end.
import fc from 'fast-check';
import { Sim, type SimThread } from './sim.js';
import { ModelError, randomWalk, runRandom, runSchedule, schedule } from './scheduler.js';
import { compileModel, type LoadOptions, type Model } from './transform.js';
import { HOLDER_SLOTS } from '../../src/internal/holders.js';
import type { Scenario as MutexScenario } from './mutex-model.js';

export interface RwThreadSpec {
  readonly mode: 'read' | 'write';
  readonly kind: 'lock' | 'timed' | 'try' | 'async';
  readonly iterations: number;
  readonly timeoutMs: number;
  readonly abortAfterMs: number;
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
      }),
      { minLength: 2, maxLength: maxThreads },
    ),
    schedule: fc.oneof(fc.record({ script: schedule(preemptions) }), fc.record({ walk: randomWalk() })),
  });

/** What the runs exercised (summed over runs). */
export const rwCoverage = { runs: 0, reads: 0, writes: 0, gaveUp: 0, passedOn: 0 };

type Gen<T> = Generator<unknown, T, unknown>;
type Fns = Record<string, (...a: unknown[]) => Gen<unknown>>;
export type RwFactories = { rw: (sim: unknown) => Model; park: (sim: unknown) => Model };

/** Runs one scenario against compiled raw-rwlock and park models. */
export function checkRwLock(f: RwFactories, s: RwScenario): void {
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
  const readLockable = rwModel.readLockable as (s: number) => boolean;
  let readers = 0;
  let writer = false;

  /** acquire.ts `fast`. */
  function* fast(mode: RwThreadSpec['mode']): Gen<boolean> {
    if (mode === 'write') return (yield* rw.tryWriteFast!(i32, base)) as boolean;
    const st = yield* sim.atomics.load(i32, STATE);
    return readLockable(st) && (yield* sim.atomics.compareExchange(i32, STATE, st, st + 1)) === st;
  }

  /** An abandoned async wait absorbed a wake-up: passOnWriter runs later, as a callback would. */
  const onAbsorbed = () => {
    rwCoverage.passedOn++;
    sim.spawn('onAbsorbed', () => rw.passOnWriter!(i32, base));
  };

  /** acquire.ts `lockSync` / `lockAsync`; returns whether the lock was acquired. */
  function* acquire(spec: RwThreadSpec, t: SimThread): Gen<boolean> {
    if (yield* fast(spec.mode)) return true;
    if (spec.kind === 'try') return false;
    const timeout = spec.kind === 'lock' ? Infinity : spec.timeoutMs;
    const controller = spec.kind === 'async' ? (t.controller = new AbortController()) : undefined;
    if (controller && spec.abortAfterMs !== Infinity)
      sim.at(sim.time + spec.abortAfterMs, () => controller.abort(new Error('abort')));
    const wait = (index: number, check: () => Gen<number | null>, absorbed?: () => void) =>
      controller
        ? park.parkUntilAsync!(i32, index, timeout, controller.signal, check, absorbed)
        : park.parkUntil!(i32, index, timeout, 'RwLock', check);
    let ok = false;
    try {
      if (spec.mode === 'read') {
        ok = (yield* wait(STATE, () => rw.tryRead!(i32, base) as Gen<number | null>)) as boolean;
        return ok;
      }
      yield* sim.atomics.add(i32, WRITER_WAITERS, 1);
      try {
        const check = () => rw.tryWrite!(i32, base) as Gen<number | null>;
        ok = (yield* wait(WRITER_SEQ, check, onAbsorbed)) as boolean;
      } finally {
        yield* sim.atomics.sub(i32, WRITER_WAITERS, 1);
        if (!ok) yield* rw.passOnWriter!(i32, base); // I3 of raw-rwlock
      }
      return ok;
    } catch (err) {
      if (!controller || err !== controller.signal.reason) throw err;
      return false;
    } finally {
      t.controller = undefined;
    }
  }

  function* body(spec: RwThreadSpec, t: SimThread): Gen<void> {
    for (let i = 0; i < spec.iterations; i++) {
      if (!(yield* acquire(spec, t))) {
        if (spec.kind !== 'try') rwCoverage.gaveUp++;
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
        readers++;
        yield;
        yield;
        readers--;
        if (!(yield* rw.readUnlock!(i32, base))) throw new ModelError(`${t.name}: read unlock refused`, sim);
      }
    }
  }

  rwCoverage.runs++;
  s.threads.forEach((spec, k) => sim.spawn(`T${k + 1}:${spec.mode}:${spec.kind}`, (t) => body(spec, t)));
  if ('walk' in s.schedule) runRandom(sim, s.schedule.walk);
  else runSchedule(sim, s.schedule.script);
  const state = i32[STATE]!;
  const writers = i32[WRITER_WAITERS]!;
  if (state !== 0 || writers !== 0) {
    throw new ModelError(
      `lock word not clean at the end: STATE=${state.toString(16)} WRITERS=${writers}`,
      sim,
    );
  }
}

/**
 * The rwlock and the wait loop as shipped (`mutate` edits raw-rwlock.ts). raw-rwlock.ts sizes its
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
      const edited = options.mutate ? options.mutate(src) : src;
      return `const HOLDER_SLOTS = ${HOLDER_SLOTS};\n${edited}`;
    },
  }),
  park: compileModel('src/internal/park.ts', { generatorParams: ['check'] }),
});

export const rwlockProperty = (f: RwFactories, maxThreads?: number, preemptions?: number) =>
  fc.property(rwScenario(maxThreads, preemptions), (s) => checkRwLock(f, s));
