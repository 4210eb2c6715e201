// The state behind every thread-local of this thread: one context storage whose store is an array of
// slots, one slot per thread-local.
//
// Why one storage for all locals: each AsyncLocalStorage in use adds work to every async resource the
// process creates (its store is copied into the new resource). One storage holding a small array costs
// the same however many thread-locals exist, and get() is getStore() plus one array load.
//
// Layout and rules:
//   - A *context* is one `Slots` array. The thread's root context (`root`) is current outside every
//     run()/isolate(); every run()/isolate() makes a new array copied from the current one, and makes
//     it current for the callback and all async work started in it.
//   - slots[i] === undefined (or a hole) means "no value"; a value of `undefined` is stored as the
//     UNDEFINED sentinel so that the two stay apart (see box/unbox).
//   - A context array belongs to exactly one scope: set() writes into it in place, which is visible to
//     that scope and the async work it started, and to nothing outside it (outer scopes hold their own
//     array). That is the copy-on-write: the copy is made when a scope is entered, never on set().
//   - Slot numbers are handed out once per thread-local and never reused. Inheritable thread-locals
//     are identified by name: every inheritable local with the same name uses the same slot, which is
//     how a value inherited from another thread finds the local that a task creates later.
import {
  createContextStorage,
  type ContextStorage,
  type ContextStorageKind,
} from '../internal/async-context.js';

/** One context: the values of every thread-local, indexed by slot. */
export type Slots = unknown[];

/** Stands in for a stored `undefined`, so that "set to undefined" differs from "no value". */
const UNDEFINED: unique symbol = Symbol('threadkit.undefined');

/** The value to store in a slot for `value`. */
export function box(value: unknown): unknown {
  return value === undefined ? UNDEFINED : value;
}

/** The value a stored (non-undefined) slot entry stands for. */
export function unbox(stored: unknown): unknown {
  return stored === UNDEFINED ? undefined : stored;
}

/**
 * All per-thread state, in one object shared through `globalThis`, so that the ESM and CommonJS builds
 * loaded into one thread (the dual-package hazard) are one set of thread-locals: otherwise isolate()
 * and the Thread/pool hooks of one build would not see the locals of the other.
 */
interface SharedState {
  /** Holds the current context array for each execution context. */
  storage: ContextStorage<Slots>;
  /** The thread's root context: current outside every run() and isolate(). */
  root: Slots;
  /** The next unused slot number. */
  nextSlot: number;
  /** Slot of every inheritable thread-local, by name. */
  readonly namedSlots: Map<string, number>;
}

/** Versioned: a future layout change takes a new key rather than misreading this one. */
const STATE_KEY = Symbol.for('threadkit.threadlocal.state.v1');

const state: SharedState = ((globalThis as Record<symbol, SharedState | undefined>)[STATE_KEY] ??= {
  storage: createContextStorage<Slots>(),
  root: [],
  nextSlot: 0,
  namedSlots: new Map(),
});
const namedSlots = state.namedSlots;

/** The context array of the current execution context. */
export function currentSlots(): Slots {
  return state.storage.getStore() ?? state.root;
}

/** Runs `fn` with `slots` as the current context, for fn and (with AsyncLocalStorage) its async work. */
export function runWithSlots<R>(slots: Slots, fn: () => R): R {
  return state.storage.run(slots, fn);
}

/** Hands out a fresh slot for a non-inheritable thread-local. */
export function allocateSlot(): number {
  return state.nextSlot++;
}

/** The slot shared by every inheritable thread-local called `name`; allocated on first use. */
export function namedSlot(name: string): number {
  let slot = namedSlots.get(name);
  if (slot === undefined) {
    slot = state.nextSlot++;
    namedSlots.set(name, slot);
  }
  return slot;
}

/** The slot of the inheritable thread-locals called `name`, or undefined if none was ever used. */
export function findNamedSlot(name: string): number | undefined {
  return namedSlots.get(name);
}

/** Every inheritable name with its slot, in order of first use. */
export function namedSlotEntries(): IterableIterator<[string, number]> {
  return namedSlots.entries();
}

/** Whether any inheritable thread-local exists on this thread (the common case is none). */
export function hasNamedSlots(): boolean {
  return namedSlots.size > 0;
}

/**
 * Replaces the context storage and clears the root context. Internal, for tests: lets the synchronous
 * fallback (what runs where AsyncLocalStorage does not exist) be exercised on Node.
 *
 * @internal
 */
export function useContextStorage(kind?: ContextStorageKind): void {
  state.storage = createContextStorage<Slots>(kind);
  state.root = [];
}
