// The Queue under the model checker: simulated threads run the real src/queue/raw-queue.ts (the ring
// buffers, the internal lock, close, passOnGet, evict, the spin) and the wait loops around it,
// src/queue/waits.ts with src/internal/park.ts (all three compiled into one model, so every call
// between them is a step), called the way src/queue/queue.ts calls them. Each simulated thread has its
// own instance of the model's module state, as each worker has its own (pop's scratch buffer).
//
// Producers put items of 1–3 bytes (blocking; timed, 0 being tryPut(); or async with a timeout and an
// abort), one item at a time, each dropped when its put times out or is aborted; blocking and timed
// puts may spin first. Consumers make a few gets (the same kinds; after an abort, a consumer may go on
// with blocking gets on the same thread, behind its aborted wait). The queue is tiny (capacity 1–3,
// 3–7 bytes of data area), so puts wait for room by count and by bytes and items straddle the end of
// the data area. The queue may be closed by the last producer when it is done, or by another thread at
// any point.
//
// What the harness checks:
//   - linearizability against a FIFO: a put takes effect when it bumps PUT_SEQ, a get when it bumps
//     GET_SEQ (both under the internal lock; the harness observes those two atomic steps). At each, the
//     ring (COUNT, DATA_USED, the length ring and every byte of every queued item) must match the
//     abstract queue, the item a get removes is the oldest, and the bytes the get returns are exactly
//     that item's. So items are neither lost, duplicated, reordered nor corrupted;
//   - outcomes: a put that reports success took effect once; a put or get that timed out, was aborted
//     or found the queue closed changed nothing; nothing is put after close(); a get reports "closed"
//     only on a closed, empty queue;
//   - no lost wake-up: whenever every live thread sleeps for good, each must be a getter on an empty
//     open queue or a putter whose item does not fit an open queue (the program is stuck then, not the
//     algorithm); anyone else asleep (a getter while an item waits, a putter with room, anyone after
//     close(), anyone on the internal lock) is a lost wake-up. Item and get counts are random, so runs
//     end both ways;
//   - the end state: internal lock free, GETTERS/PUTTERS counting exactly the threads stuck in a wait.
//
// Not covered: the Queue class's (de)serialization and argument checks; memory ordering (the simulator
// is sequentially consistent); threads dying (the queue has no owner-death recovery: a thread killed
// inside the internal lock's few-store critical section leaves it held); a browser main thread (canBlock
// false: the lock spins instead of sleeping); SpinHistory's policy (each thread's spin-or-not is drawn
// per scenario instead); WAIT_SPIN_LIMIT and the lock's SPIN_LIMIT are cut to a few loads, so spins both
// catch and miss. The Sim settles promises at once, so the window where a native async wait resolves
// 'ok' and an abort still wins raceAbort before the continuation runs is not there (in it, the eviction
// passes the wake-up on). Several async gets in flight on one real thread are several simulated threads.
//
// Found redundant here: passOnGet (I3). With it removed the checker finds nothing: a woken getter
// re-checks before it looks at its deadline, and an aborted one is evicted (I6), so a getter never
// leaves holding a wake-up meant for an item. Likewise the eviction of aborted puts (I6 says why it is
// there: not for wake-ups, every get wakes all putters).
import fc from 'fast-check';
import { Sim, type SimThread } from './sim.js';
import { ModelError, randomWalk, runRandom, runSchedule, schedule } from './scheduler.js';
import { compileModel, type LoadOptions, type Model } from './transform.js';
import type { Scenario as MutexScenario } from './mutex-model.js';

type Kind = 'block' | 'timed' | 'async';

export interface ProducerSpec {
  readonly kind: Kind;
  /** Byte lengths of the items it puts, in order. */
  readonly items: readonly number[];
  /** For 'timed' (0: tryPut()) and 'async'. */
  readonly timeoutMs: number;
  /** For 'async': abort each put's wait after this long (simulated ms). */
  readonly abortAfterMs: number;
  /** Blocking and timed puts spin before parking (queue.ts's SpinHistory said so). */
  readonly spin: boolean;
}

export interface ConsumerSpec {
  readonly kind: Kind;
  /** Gets it makes (each may end with an item, a timeout or an abort); it stops at "closed". */
  readonly gets: number;
  readonly timeoutMs: number;
  readonly abortAfterMs: number;
  readonly spin: boolean;
  /** After an abort: go on with blocking gets, behind the aborted wait. @default false */
  readonly blockAfterAbort: boolean;
}

export interface QueueScenario {
  readonly capacity: number;
  readonly dataBytes: number;
  readonly producers: readonly ProducerSpec[];
  readonly consumers: readonly ConsumerSpec[];
  /** Who closes the queue: nobody, the last producer when done, or a thread after that many steps. */
  readonly close: 'none' | 'after-puts' | { readonly afterSteps: number };
  readonly schedule: MutexScenario['schedule'];
}

const kinds = fc.constantFrom<Kind>('block', 'block', 'timed', 'async');

export const queueScenario = (maxThreads = 2, preemptions = 8): fc.Arbitrary<QueueScenario> =>
  fc.record({
    capacity: fc.constantFrom(1, 2, 3, 3),
    dataBytes: fc.constantFrom(3, 4, 5, 5, 7),
    producers: fc.array(
      fc.record({
        kind: kinds,
        items: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
        timeoutMs: fc.constantFrom(0, 1, 5, Infinity),
        abortAfterMs: fc.constantFrom(0.5, 2, Infinity),
        spin: fc.boolean(),
      }),
      { minLength: 1, maxLength: maxThreads },
    ),
    consumers: fc.array(
      fc.record({
        kind: kinds,
        gets: fc.integer({ min: 1, max: 4 }),
        timeoutMs: fc.constantFrom(0, 1, 5, Infinity),
        abortAfterMs: fc.constantFrom(0.5, 2, Infinity),
        spin: fc.boolean(),
        blockAfterAbort: fc.boolean(),
      }),
      { minLength: 1, maxLength: maxThreads },
    ),
    close: fc.oneof(
      fc.constantFrom<'none' | 'after-puts'>('none', 'after-puts'),
      fc.record({ afterSteps: fc.nat(80) }),
    ),
    schedule: fc.oneof(fc.record({ script: schedule(preemptions) }), fc.record({ walk: randomWalk() })),
  });

/** What the runs exercised (summed over runs). */
export const queueCoverage = {
  runs: 0,
  put: 0,
  got: 0,
  timedOut: 0,
  aborted: 0,
  /** Puts refused and gets ended by close(). */
  closed: 0,
  /** Spins that saw the change they waited for, and spins that ran out. */
  spunHit: 0,
  spunMiss: 0,
  /** Items put across the end of the data area. */
  wrapped: 0,
  /** Puts and gets that registered to wait for room or for an item. */
  putWaits: 0,
  getWaits: 0,
  /** Aborted async waits evicted from the waiter list (I6). */
  evicted: 0,
  /** Sleeps on the internal lock. */
  lockSleeps: 0,
  /** Runs that ended with threads stuck in a wait (legitimately). */
  stuck: 0,
};

interface Item {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** The operation a thread is in, with what the harness saw of it take effect. */
type Op =
  | { readonly kind: 'put'; readonly item: Item; done: boolean }
  | { readonly kind: 'get'; got: Item | undefined }
  | { readonly kind: 'close' };

type Gen<T> = Generator<unknown, T, unknown>;
type Fns = Record<string, (...a: unknown[]) => Gen<unknown>>;

const ABORTED = 'aborted';

/** Runs one scenario against the compiled queue model (a factory: one instance per thread). */
export function checkQueue(factory: (sim: unknown) => Model, s: QueueScenario): void {
  const sim = new Sim();
  const C = factory(sim) as Record<string, number> & { IS_CLOSED: string };
  const { capacity, dataBytes } = s;
  const buffer = new ArrayBuffer((C.HEADER_SLOTS! + capacity + Math.ceil(dataBytes / 4)) * 4);
  const i32 = new Int32Array(buffer);
  const data = new Uint8Array(buffer, (C.HEADER_SLOTS! + capacity) * 4, dataBytes);
  i32[C.CAPACITY!] = capacity;
  i32[C.DATA_BYTES!] = dataBytes;
  i32[C.TAG!] = C.QUEUE_TAG!;
  const mem = { i32, data, capacity };
  const { PUT_SEQ, GET_SEQ, COUNT, DATA_USED, IS_CLOSED } = C;

  /** The abstract queue: the items put and not yet got, oldest first. */
  const fifo: Item[] = [];
  let closed = false;
  const ops = new Map<SimThread, Op>();
  const fail = (what: string): never => {
    throw new ModelError(what, sim);
  };

  /** The ring must hold exactly `fifo` (called under the internal lock). */
  function checkRing(): void {
    const used = fifo.reduce((n, item) => n + item.bytes.length, 0);
    if (i32[COUNT!] !== fifo.length || i32[DATA_USED!] !== used)
      fail(
        `ring holds COUNT=${i32[COUNT!]} DATA_USED=${i32[DATA_USED!]}, expected ${fifo.length} items of ${used} bytes`,
      );
    let at = i32[C.DATA_HEAD!]!;
    fifo.forEach((item, k) => {
      const length = i32[C.HEADER_SLOTS! + ((i32[C.HEAD!]! + k) % capacity)];
      if (length !== item.bytes.length) fail(`item ${k} (${item.name}) has length ${length} in the ring`);
      item.bytes.forEach((b, j) => {
        if (data[(at + j) % dataBytes] !== b) fail(`item ${k} (${item.name}): byte ${j} differs in the ring`);
      });
      at = (at + item.bytes.length) % dataBytes;
    });
  }

  /** A put or get takes effect: the harness sees its PUT_SEQ or GET_SEQ bump, under the lock. */
  function tookEffect(slot: number): void {
    const t = sim.current!;
    const op = ops.get(t);
    if (op?.kind === 'close') {
      if (slot === PUT_SEQ) {
        if (i32[C.CLOSED!] !== 1) fail('close() bumped PUT_SEQ before setting CLOSED');
        closed = true;
        sim.log(`${t.name}: close() took effect`);
      }
      return;
    }
    if (slot === PUT_SEQ) {
      if (op?.kind !== 'put') return fail(`${t.name} bumped PUT_SEQ outside a put`);
      if (closed) fail(`${t.name} put ${op.item.name} after close()`);
      if (op.done) fail(`${t.name} put ${op.item.name} twice`);
      const end = (i32[C.DATA_HEAD!]! + i32[DATA_USED!]! - op.item.bytes.length) % dataBytes;
      if (end + op.item.bytes.length > dataBytes) queueCoverage.wrapped++;
      fifo.push(op.item);
      op.done = true;
      sim.log(`${t.name}: put ${op.item.name} took effect`);
    } else {
      if (op?.kind !== 'get') return fail(`${t.name} bumped GET_SEQ outside a get`);
      if (op.got) fail(`${t.name} took a second item in one get`);
      op.got = fifo.shift() ?? fail(`${t.name} took an item from an empty queue`);
      sim.log(`${t.name}: get of ${op.got.name} took effect`);
    }
    checkRing();
  }

  // Observe the two steps where puts and gets take effect; count registrations, evictions and sleeps
  // on the internal lock.
  const add = sim.atomics.add.bind(sim.atomics);
  sim.atomics.add = function* (a: Int32Array, i: number, v: number) {
    const old = yield* add(a, i, v);
    if (a === i32 && (i === PUT_SEQ || i === GET_SEQ)) tookEffect(i);
    if (a === i32 && i === C.PUTTERS && v === 1) queueCoverage.putWaits++;
    if (a === i32 && i === C.GETTERS && v === 1) queueCoverage.getWaits++;
    return old;
  };
  const notify = sim.notify.bind(sim);
  sim.notify = (a, index, count) => {
    // Only an eviction wakes every waiter on the other side's counter: PUT_SEQ from a get, GET_SEQ from a put.
    const op = ops.get(sim.current!)?.kind;
    if (count === Infinity && ((index === PUT_SEQ && op === 'get') || (index === GET_SEQ && op === 'put')))
      queueCoverage.evicted++;
    return notify(a, index, count);
  };
  const waitSync = sim.waitSync.bind(sim);
  sim.waitSync = (a, index, expected, timeoutMs) => {
    if (a === i32 && index === C.LOCK) queueCoverage.lockSleeps++;
    return waitSync(a, index, expected, timeoutMs);
  };

  /** queue.ts's SpinHistory, replaced by the scenario's choice; counts how spins end. */
  const spinsOf = (spin: boolean) => ({
    shouldSpin: () => spin,
    record: (hit: boolean) => void (hit ? queueCoverage.spunHit++ : queueCoverage.spunMiss++),
  });

  /** Runs `wait` (an async put or get) with an abort controller; ABORTED when the signal's reason is thrown. */
  function* withAbort<R>(t: SimThread, abortAfterMs: number, wait: (signal: AbortSignal) => Gen<R>) {
    const controller = (t.controller = new AbortController());
    if (abortAfterMs !== Infinity)
      sim.at(sim.time + abortAfterMs, () => {
        sim.log(`${t.name} aborts`);
        controller.abort(new Error(`${t.name} aborted`));
      });
    try {
      return yield* wait(controller.signal);
    } catch (err) {
      if (err !== controller.signal.reason) throw err;
      queueCoverage.aborted++;
      return ABORTED;
    } finally {
      t.controller = undefined;
    }
  }

  let producersLeft = s.producers.length;

  function* producer(spec: ProducerSpec, t: SimThread, k: number): Gen<void> {
    const q = factory(sim) as Fns;
    for (const [seq, length] of spec.items.entries()) {
      const name = `P${k + 1}.${seq}`;
      // Bytes unique to the item: a mix-up or a torn copy shows in checkRing and in the get's result.
      const bytes = Uint8Array.from({ length }, (_, j) => ((k + 1) * 64 + seq * 8 + j) & 255);
      const op: Op = { kind: 'put', item: { name, bytes }, done: false };
      ops.set(t, op);
      const timeout = spec.kind === 'block' ? Infinity : spec.timeoutMs;
      const r =
        spec.kind === 'async'
          ? yield* withAbort(t, spec.abortAfterMs, (signal) => q.putAsync!(mem, bytes, signal, timeout))
          : yield* q.putSync!(mem, bytes, timeout, 'Queue.put()', spinsOf(spec.spin));
      ops.delete(t);
      sim.log(`${t.name}: put ${name} returned ${String(r)}`);
      if (r === true) {
        if (!op.done) fail(`${t.name}: put of ${name} returned true but never took effect`);
        queueCoverage.put++;
        continue;
      }
      if (op.done) fail(`${t.name}: put of ${name} took effect but returned ${String(r)}`);
      if (r === IS_CLOSED) {
        if (!closed) fail(`${t.name}: put of ${name} found the queue closed before close()`);
        queueCoverage.closed++;
        break;
      }
      if (r === false) queueCoverage.timedOut++;
      else if (r !== ABORTED) fail(`${t.name}: put returned ${String(r)}`);
    }
    if (--producersLeft === 0 && s.close === 'after-puts') yield* closer(t, q);
  }

  function* closer(t: SimThread, q: Fns): Gen<void> {
    ops.set(t, { kind: 'close' });
    yield* q.close!(i32);
    ops.delete(t);
  }

  function* consumer(spec: ConsumerSpec, t: SimThread): Gen<void> {
    const q = factory(sim) as Fns;
    let kind = spec.kind;
    for (let n = 0; n < spec.gets; n++) {
      const op: Op = { kind: 'get', got: undefined };
      ops.set(t, op);
      const timeout = kind === 'block' ? Infinity : spec.timeoutMs;
      const r =
        kind === 'async'
          ? yield* withAbort(t, spec.abortAfterMs, (signal) => q.getAsync!(mem, signal, timeout))
          : yield* q.getSync!(mem, timeout, 'Queue.get()', spinsOf(spec.spin));
      ops.delete(t);
      if (r instanceof Uint8Array) {
        const item = op.got ?? fail(`${t.name}: a get returned bytes but took no item`);
        sim.log(`${t.name}: got ${item.name}`);
        if (r.length !== item.bytes.length || r.some((b, j) => b !== item.bytes[j]))
          fail(`${t.name}: got [${r.join(',')}] for ${item.name} [${item.bytes.join(',')}]`);
        queueCoverage.got++;
        continue;
      }
      sim.log(`${t.name}: get returned ${String(r)}`);
      if (op.got) fail(`${t.name}: took ${op.got.name} but returned ${String(r)} (the item is lost)`);
      if (r === IS_CLOSED) {
        if (!closed || fifo.length > 0)
          fail(`${t.name}: get reported closed with ${fifo.length} items queued`);
        queueCoverage.closed++;
        return;
      }
      if (r === null) queueCoverage.timedOut++;
      else if (r === ABORTED) {
        if (spec.blockAfterAbort) kind = 'block';
      } else fail(`${t.name}: get returned a ${typeof r}`);
    }
  }

  /** Every live thread sleeps for good: legitimate only if each waits for what no thread will do. */
  function stuck(): void {
    const fits = (item: Item) => fifo.length < capacity && dataBytes - i32[DATA_USED!]! >= item.bytes.length;
    for (const t of sim.threads) {
      if (t.status !== 'blocked') continue;
      const op = ops.get(t);
      const slot = /^wait\((\d+),/.exec(t.blockedOn)?.[1]; // undefined: an async wait's await
      const lost = (why: string) => fail(`lost wake-up: ${t.name} sleeps for good ${why}`);
      if (op === undefined || op.kind === 'close') lost('outside a put or get');
      else if (op.kind === 'get') {
        if (slot !== undefined && Number(slot) !== PUT_SEQ) lost(`on slot ${slot} in a get`);
        if (closed) lost('in a get on a closed queue');
        if (fifo.length > 0) lost(`in a get while ${fifo.length} items wait`);
        if (op.got) lost(`after its get took ${op.got.name}`);
      } else {
        if (slot !== undefined && Number(slot) !== GET_SEQ) lost(`on slot ${slot} in a put`);
        if (closed) lost('in a put on a closed queue');
        if (fits(op.item)) lost(`in a put of ${op.item.name}, which fits`);
        if (op.done) lost(`after its put of ${op.item.name} took effect`);
      }
    }
    queueCoverage.stuck++;
  }

  queueCoverage.runs++;
  s.producers.forEach((spec, k) => sim.spawn(`P${k + 1}:${spec.kind}`, (t) => producer(spec, t, k)));
  s.consumers.forEach((spec, k) => sim.spawn(`C${k + 1}:${spec.kind}`, (t) => consumer(spec, t)));
  const { close } = s;
  if (typeof close === 'object') {
    sim.spawn('closer', function* (t) {
      for (let i = 0; i < close.afterSteps; i++) yield;
      yield* closer(t, factory(sim) as Fns);
    });
  }
  if ('walk' in s.schedule) runRandom(sim, s.schedule.walk, { stuck });
  else runSchedule(sim, s.schedule.script, { stuck });

  checkRing();
  const waiting = (kind: Op['kind']) => [...ops.values()].filter((op) => op.kind === kind).length;
  const lockWord = i32[C.LOCK!];
  if (lockWord !== 0 || i32[C.GETTERS!] !== waiting('get') || i32[C.PUTTERS!] !== waiting('put')) {
    fail(
      `not clean at the end: LOCK=${lockWord} GETTERS=${i32[C.GETTERS!]} PUTTERS=${i32[C.PUTTERS!]}, ` +
        `${waiting('get')} getters and ${waiting('put')} putters stuck`,
    );
  }
}

/** Loads the lock spins for, and a waiter spins for, in the model: a few, so spins both catch and miss. */
const MODEL_SPIN_LIMIT = 2;
const MODEL_WAIT_SPIN_LIMIT = 10;

/**
 * raw-queue.ts, park.ts and waits.ts as shipped, compiled into one model (`mutate` edits the joined
 * source), except for the spin limits (thousands of loads would only spin out the step budget).
 */
export const queueModels = (options: LoadOptions = {}) =>
  compileModel('src/queue/raw-queue.ts', {
    link: ['src/internal/park.ts', 'src/queue/waits.ts'],
    generatorParams: ['check', 'onAbandoned'],
    mutate: (src) => {
      let edited = src;
      for (const [name, value] of [
        ['SPIN_LIMIT', MODEL_SPIN_LIMIT],
        ['WAIT_SPIN_LIMIT', MODEL_WAIT_SPIN_LIMIT],
      ] as const) {
        const decl = new RegExp(`export const ${name} = \\d+;`);
        if (!decl.test(edited)) throw new Error(`raw-queue.ts no longer declares ${name} as a number`);
        edited = edited.replace(decl, `export const ${name} = ${value};`);
      }
      return options.mutate ? options.mutate(edited) : edited;
    },
  });

export const queueProperty = (factory: (sim: unknown) => Model, maxThreads?: number, preemptions?: number) =>
  fc.property(queueScenario(maxThreads, preemptions), (s) => checkQueue(factory, s));
