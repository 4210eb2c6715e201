// Drives a Sim from a fast-check script with bounded preemption: threads run round-robin, each until it
// blocks or finishes, except at the script's switch points, where the script picks the next action: run
// another thread (a preemption), let time pass, wake a sleeper spuriously, abort an async waiter, or kill
// a thread. The number of script entries bounds the preemptions; `gap` says how many steps pass before
// the entry applies, so preemptions land anywhere inside the algorithm.
import fc from 'fast-check';
import type { Sim, SimThread } from './sim.js';

/** One switch point of a schedule. */
export interface Switch {
  /** Steps to run before this switch. */
  readonly gap: number;
  /** Which action to take among those possible then (modulo their number). */
  readonly pick: number;
}

/** Arbitrary schedules with at most `preemptions` switch points. */
export const schedule = (preemptions: number, maxGap = 40): fc.Arbitrary<Switch[]> =>
  fc.array(fc.record({ gap: fc.nat(maxGap), pick: fc.nat(10_000) }), { maxLength: preemptions });

/** Events a schedule may inject besides preemptions. */
export interface EventOptions {
  /** Let simulated time jump (by 1 ms, to the next deadline, or by 10 ms). @default true */
  readonly time?: boolean;
  /** Wake a sync sleeper without a notify. @default true */
  readonly spurious?: boolean;
  /** Abort an async waiter (a thread with a `controller`). @default true */
  readonly abort?: boolean;
  /** Kill a thread that `killable` allows, passing its runtime thread id. */
  readonly kill?: (t: SimThread) => number | undefined;
  /**
   * Called when every live thread sleeps with no deadline. Without it, that is a lost wake-up. With it,
   * it returns to end the run there (each sleeper waits for something no thread will ever do: the
   * program is stuck, not the algorithm), or throws a ModelError for a lost wake-up.
   */
  readonly stuck?: () => void;
}

/** A failure found by the checker: what went wrong and the simulator state. */
export class ModelError extends Error {
  constructor(what: string, sim: Sim) {
    super(`${what}\n${sim.describe()}`);
    this.name = 'ModelError';
  }
}

/**
 * Runs every thread of `sim` to the end under `script`. Throws a {@link ModelError} on a lost wake-up
 * (every live thread sleeps with no deadline), on running out of steps, or what a thread throws.
 */
export function runSchedule(
  sim: Sim,
  script: readonly Switch[],
  events: EventOptions = {},
  maxSteps = 50_000,
): void {
  let current = 0;
  let entry = 0;
  let nextSwitch = script[0]?.gap ?? Infinity;
  for (let steps = 0; steps < maxSteps; steps++) {
    const live = sim.threads.filter((t) => t.status === 'ready' || t.status === 'blocked');
    if (live.length === 0) return;
    const ready = live.filter((t) => t.status === 'ready');
    if (steps >= nextSwitch) {
      const pick = script[entry]!.pick;
      entry++;
      nextSwitch = steps + (script[entry]?.gap ?? Infinity);
      const actions = possibleActions(sim, ready, events);
      const action = actions[pick % actions.length];
      if (action) {
        const t = action();
        if (t !== undefined) current = t.id;
        continue;
      }
    }
    if (ready.length === 0) {
      const deadline = sim.nextDeadline();
      if (deadline === undefined) return allStuck(sim, events);
      sim.advance(deadline);
      continue;
    }
    let t = sim.threads[current];
    if (t?.status !== 'ready') {
      t = ready.find((r) => r.id > current) ?? ready[0]!;
      current = t.id;
    }
    stepOrReport(sim, t);
  }
  throw new ModelError(`not finished after ${maxSteps} steps (livelock?)`, sim);
}

/** A random-walk schedule: a seeded PRNG picks the thread of every step (unbounded preemptions). */
export interface RandomWalk {
  readonly seed: number;
  /** Chance that a step switches to another ready thread. */
  readonly switchChance: number;
  /** Chance that a step is an event (time, spurious wake-up, abort, kill) instead. */
  readonly eventChance: number;
  /** Simulated milliseconds each step takes (so that fairness and timeouts kick in mid-run). */
  readonly msPerStep: number;
}

export const randomWalk = (): fc.Arbitrary<RandomWalk> =>
  fc.record({
    seed: fc.integer(),
    switchChance: fc.constantFrom(0.05, 0.3, 0.9),
    eventChance: fc.constantFrom(0, 0.002, 0.02),
    msPerStep: fc.constantFrom(0, 0.01, 0.1),
  });

/** mulberry32: a small deterministic PRNG in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Like {@link runSchedule}, with every step's thread chosen by a random walk. */
export function runRandom(sim: Sim, walk: RandomWalk, events: EventOptions = {}, maxSteps = 50_000): void {
  const random = prng(walk.seed);
  let current: SimThread | undefined;
  for (let steps = 0; steps < maxSteps; steps++) {
    const live = sim.threads.filter((t) => t.status === 'ready' || t.status === 'blocked');
    if (live.length === 0) return;
    const ready = live.filter((t) => t.status === 'ready');
    if (random() < walk.eventChance) {
      const actions = possibleActions(sim, [], events);
      actions[Math.floor(random() * actions.length)]?.();
      continue;
    }
    if (ready.length === 0) {
      const deadline = sim.nextDeadline();
      if (deadline === undefined) return allStuck(sim, events);
      sim.advance(deadline);
      continue;
    }
    if (walk.msPerStep > 0) sim.advance(sim.time + walk.msPerStep);
    if (current?.status !== 'ready' || random() < walk.switchChance) {
      current = ready[Math.floor(random() * ready.length)]!;
    }
    stepOrReport(sim, current);
  }
  throw new ModelError(`not finished after ${maxSteps} steps (livelock?)`, sim);
}

function allStuck(sim: Sim, events: EventOptions): void {
  if (!events.stuck) throw new ModelError('lost wake-up: every live thread sleeps forever', sim);
  events.stuck();
}

function stepOrReport(sim: Sim, t: SimThread): void {
  try {
    sim.step(t);
  } catch (err) {
    if (err instanceof ModelError) throw err;
    throw new ModelError(`${t.name} threw: ${String((err as Error)?.stack ?? err)}`, sim);
  }
}

type Action = () => SimThread | undefined;

function possibleActions(sim: Sim, ready: SimThread[], events: EventOptions): Action[] {
  const actions: Action[] = ready.map((t) => () => t);
  if (events.time !== false) {
    actions.push(() => void sim.advance(sim.time + 1));
    actions.push(() => void sim.advance(sim.nextDeadline() ?? sim.time + 10));
  }
  if (events.spurious !== false) {
    for (const t of sim.sleepers()) actions.push(() => void sim.spuriousWake(t));
  }
  if (events.abort !== false) {
    for (const t of sim.threads) {
      const c = t.controller;
      if (c && !c.signal.aborted && t.status !== 'done' && t.status !== 'dead') {
        actions.push(() => {
          sim.log(`abort ${t.name}`);
          c.abort(new Error(`${t.name} aborted`));
          return undefined;
        });
      }
    }
  }
  const kill = events.kill;
  if (kill) {
    for (const t of sim.threads) {
      if (t.status !== 'ready' && t.status !== 'blocked') continue;
      actions.push(() => {
        const id = kill(t);
        if (id !== undefined) sim.kill(t, id);
        return undefined;
      });
    }
  }
  return actions;
}
