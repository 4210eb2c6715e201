// The Semaphore under the model checker: simulated threads run the real src/semaphore/raw-semaphore.ts
// and the shared wait loop src/internal/park.ts (both through compileModel) the way
// src/semaphore/semaphore.ts calls them, taking 1–2 permits of 2. The harness checks that no more
// permits are held than exist, that no wake-up is lost, that every thread finishes, and that the
// count and waiter registrations are back to their start at the end.
import fc from 'fast-check';
import { HOLDER_SLOTS } from '../../src/internal/holders.js';
import { Sim, type SimThread } from './sim.js';
import { ModelError, randomWalk, runRandom, runSchedule, schedule } from './scheduler.js';
import { compileModel, type LoadOptions, type Model } from './transform.js';
import type { Scenario as MutexScenario } from './mutex-model.js';

export interface SemThreadSpec {
  readonly kind: 'acquire' | 'timed' | 'try' | 'async';
  readonly permits: number;
  readonly iterations: number;
  readonly timeoutMs: number;
  readonly abortAfterMs: number;
}

export interface SemScenario {
  readonly threads: readonly SemThreadSpec[];
  readonly schedule: MutexScenario['schedule'];
}

/** Permits the simulated semaphore starts with. */
const PERMITS = 2;

export const semScenario = (maxThreads = 4, preemptions = 8): fc.Arbitrary<SemScenario> =>
  fc.record({
    threads: fc.array(
      fc.record({
        kind: fc.constantFrom<SemThreadSpec['kind']>('acquire', 'acquire', 'timed', 'try', 'async'),
        permits: fc.integer({ min: 1, max: PERMITS }),
        iterations: fc.integer({ min: 1, max: 3 }),
        timeoutMs: fc.constantFrom(1, 5, Infinity),
        abortAfterMs: fc.constantFrom(0.5, 2, Infinity),
      }),
      { minLength: 2, maxLength: maxThreads },
    ),
    schedule: fc.oneof(fc.record({ script: schedule(preemptions) }), fc.record({ walk: randomWalk() })),
  });

type Gen<T> = Generator<unknown, T, unknown>;
type Factories = { sem: (sim: unknown) => Model; park: (sim: unknown) => Model };

/** Runs one scenario against compiled raw-semaphore and park models. */
export function checkSemaphore(f: Factories, s: SemScenario): void {
  const sim = new Sim();
  const sem = f.sem(sim) as Record<string, (...a: unknown[]) => Gen<unknown>> & Record<string, number>;
  const park = f.park(sim) as Record<string, (...a: unknown[]) => Gen<unknown>>;
  const i32 = new Int32Array(new ArrayBuffer(32));
  const base = 2;
  const COUNT = sem.COUNT as unknown as number;
  const WAITERS = sem.WAITERS as unknown as number;
  i32[base + COUNT] = PERMITS;
  let held = 0;

  function* acquire(spec: SemThreadSpec, t: SimThread): Gen<boolean> {
    const take = () => sem.tryTake!(i32, base, spec.permits);
    if ((yield* take()) === null) return true;
    if (spec.kind === 'try') return false;
    const timeout = spec.kind === 'acquire' ? Infinity : spec.timeoutMs;
    if (spec.kind !== 'async') {
      const wait = () => park.parkUntil!(i32, base + COUNT, timeout, 'Semaphore.acquire()', take);
      return (yield* sem.registered!(i32, base, wait)) as boolean;
    }
    const controller = (t.controller = new AbortController());
    if (spec.abortAfterMs !== Infinity)
      sim.at(sim.time + spec.abortAfterMs, () => controller.abort(new Error('abort')));
    yield* sim.atomics.add(i32, base + WAITERS, 1);
    try {
      return (yield* park.parkUntilAsync!(i32, base + COUNT, timeout, controller.signal, take)) as boolean;
    } catch (err) {
      if (err !== controller.signal.reason) throw err;
      return false;
    } finally {
      yield* sim.atomics.sub(i32, base + WAITERS, 1);
      t.controller = undefined;
    }
  }

  function* body(spec: SemThreadSpec, t: SimThread): Gen<void> {
    for (let i = 0; i < spec.iterations; i++) {
      if (!(yield* acquire(spec, t))) continue;
      held += spec.permits;
      if (held > PERMITS) throw new ModelError(`${held} permits held, only ${PERMITS} exist`, sim);
      yield;
      held -= spec.permits;
      if (!(yield* sem.give!(i32, base, spec.permits)))
        throw new ModelError(`${t.name}: release refused`, sim);
    }
  }

  s.threads.forEach((spec, k) => sim.spawn(`T${k + 1}:${spec.kind}(${spec.permits})`, (t) => body(spec, t)));
  if ('walk' in s.schedule) runRandom(sim, s.schedule.walk);
  else runSchedule(sim, s.schedule.script);
  const count = i32[base + COUNT];
  const waiters = i32[base + WAITERS];
  if (count !== PERMITS || waiters !== 0) {
    throw new ModelError(`not clean at the end: COUNT=${count} WAITERS=${waiters}`, sim);
  }
}

/**
 * The semaphore and the wait loop as shipped (`mutate` edits raw-semaphore.ts). The model drops
 * imports, so the holder table's size, which the slot layout imports, is declared in front.
 */
export const semaphoreModels = (options: LoadOptions = {}): Factories => ({
  sem: compileModel('src/semaphore/raw-semaphore.ts', {
    generatorParams: ['wait'],
    mutate: (src) => {
      if (!/import \{ HOLDER_SLOTS \} from '\.\.\/internal\/holders\.js';/.test(src)) {
        throw new Error('raw-semaphore.ts no longer imports HOLDER_SLOTS from internal/holders.ts');
      }
      return `const HOLDER_SLOTS = ${HOLDER_SLOTS};\n${options.mutate ? options.mutate(src) : src}`;
    },
  }),
  park: compileModel('src/internal/park.ts', { generatorParams: ['check'] }),
});

export const semaphoreProperty = (f: Factories, maxThreads?: number, preemptions?: number) =>
  fc.property(semScenario(maxThreads, preemptions), (s) => checkSemaphore(f, s));
